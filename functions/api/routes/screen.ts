/** `POST /screen` (docs/api.md): a backend screens an email and/or phone, once per `Idempotency-Key`. */
import type { Hono, MiddlewareHandler } from 'hono';
import { screenBody } from '../../../shared/api/screen.js';
import { parseJson, readBody } from '../../../shared/http/body.js';
import type { AppEnv } from '../../../shared/http/env.js';
import { readIdempotencyKey } from '../../../shared/http/idempotency.js';
import { allowOnly } from '../../../shared/http/methods.js';
import { validate } from '../../../shared/http/validation.js';
import type { DepsProvider } from '../../../shared/runtime/deps.js';
import { screenOnce } from '../../../shared/screening/screen-once.js';

export const screenRoutes = (
  app: Hono<AppEnv>,
  deps: DepsProvider,
  auth: MiddlewareHandler<AppEnv>,
): void => {
  app.post('/screen', readBody(), auth, parseJson(), async (c) => {
    const d = await deps();
    const body = validate(screenBody, c.get('json'));
    const key = readIdempotencyKey(c.req.header('idempotency-key'));
    const { verdict } = await screenOnce(d, {
      input: {
        source: 'api',
        sourceRef: body.reference ?? null,
        email: body.email,
        phone: body.phone,
        ip: body.ip,
      },
      once: key ? { key, body: c.get('rawBody') } : null,
    });
    c.set('verdictId', verdict.verdict_id);
    return c.json(verdict, 200);
  });
  allowOnly(app, '/screen', ['POST']);
};
