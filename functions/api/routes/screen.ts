/** `POST /screen` (design 1.7): a backend screens an email and/or phone, once per `Idempotency-Key`. */
import type { Hono, MiddlewareHandler } from 'hono';
import { screenBody } from '../../../shared/api/screen.js';
import { parseJson, readBody } from '../../../shared/http/body.js';
import type { AppEnv } from '../../../shared/http/env.js';
import { readIdempotencyKey, verdictOnce } from '../../../shared/http/idempotency.js';
import { allowOnly } from '../../../shared/http/methods.js';
import { validate } from '../../../shared/http/validation.js';
import { resolveForSource } from '../../../shared/policy/decide.js';
import type { DepsProvider } from '../../../shared/runtime/deps.js';
import { planScreening, type ScreenInput, screen } from '../../../shared/screening/screen.js';

export const screenRoutes = (
  app: Hono<AppEnv>,
  deps: DepsProvider,
  auth: MiddlewareHandler<AppEnv>,
): void => {
  app.post('/screen', readBody(), auth, parseJson(), async (c) => {
    const d = await deps();
    const body = validate(screenBody, c.get('json'));
    const key = readIdempotencyKey(c.req.header('idempotency-key'));
    const input: ScreenInput = {
      source: 'api',
      sourceRef: body.reference ?? null,
      email: body.email,
      phone: body.phone,
      ip: body.ip,
    };
    // The screening's store round trip starts now, alongside the idempotency claim.
    const plan = planScreening(d, d.policy, input);
    const verdict = await verdictOnce(
      d,
      {
        scope: 'api',
        key,
        rawBody: c.get('rawBody'),
        policy: resolveForSource(d.policy, 'api'),
        nowMs: d.now(),
      },
      (alongside) => screen(d, d.policy, input, { plan, alongside }),
    );
    c.set('verdictId', verdict.verdict_id);
    return c.json(verdict, 200);
  });
  allowOnly(app, '/screen', ['POST']);
};
