/** `GET /stats` (docs/reviews.md): decisions, degraded, Defastra calls and cache hits per hour or day, from counters. */
import type { Hono, MiddlewareHandler } from 'hono';
import { statsQuery } from '../../../shared/api/stats.js';
import type { AppEnv } from '../../../shared/http/env.js';
import { allowOnly } from '../../../shared/http/methods.js';
import { validate } from '../../../shared/http/validation.js';
import type { DepsProvider } from '../../../shared/runtime/deps.js';
import { readStatsBuckets } from '../../../shared/stats/buckets.js';

export const statsRoutes = (app: Hono<AppEnv>, deps: DepsProvider, auth: MiddlewareHandler<AppEnv>): void => {
  app.get('/stats', auth, async (c) => {
    const d = await deps();
    const q = validate(statsQuery, c.req.query(), 'query');
    const { shadow } = await d.policies.current();
    return c.json(await readStatsBuckets(d.store.counters, q, d.now(), shadow !== null), 200);
  });
  allowOnly(app, '/stats', ['GET']);
};
