/** `POST /replay` (docs/reviews.md): what a candidate policy would have decided for stored verdicts, with no Defastra call. */
import type { Hono, MiddlewareHandler } from 'hono';
import { replayBody } from '../../../shared/api/replay.js';
import { parseJson, readBody } from '../../../shared/http/body.js';
import type { AppEnv } from '../../../shared/http/env.js';
import { allowOnly } from '../../../shared/http/methods.js';
import { validate } from '../../../shared/http/validation.js';
import { replay } from '../../../shared/replay/replay.js';
import type { DepsProvider } from '../../../shared/runtime/deps.js';

export const replayRoutes = (
  app: Hono<AppEnv>,
  deps: DepsProvider,
  auth: MiddlewareHandler<AppEnv>,
): void => {
  app.post('/replay', readBody(), auth, parseJson(), async (c) => {
    const d = await deps();
    const body = validate(replayBody, c.get('json'));
    const result = await replay(
      { verdicts: d.store.verdicts, hash: d.hash },
      {
        policy: body.policy,
        ...(body.since ? { since: body.since } : {}),
        ...(body.until ? { until: body.until } : {}),
        ...(body.source ? { source: body.source } : {}),
      },
      d.now(),
    );
    return c.json(result, 200);
  });
  allowOnly(app, '/replay', ['POST']);
};
