/**
 * The one middleware of every signed route: runs a Verifier over the raw body (after `readBody`, before `parseJson`:
 * the contract's order is 404/405, 413, signature, 415, 400), logs a refusal with its reason and hint (an error when
 * no secret is usable), answers it as the verifier says, and keeps the verified delivery id as `webhookId`.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppDeps, DepsProvider } from '../runtime/deps.js';
import type { Verifier } from '../webhooks/verifier.js';
import type { AppEnv } from './env.js';
import { ApiError } from './errors.js';

export const verifySignature =
  (
    verifier: Verifier,
    secrets: (d: AppDeps) => Promise<readonly string[]>,
    deps: DepsProvider,
  ): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const d = await deps();
    const active = await secrets(d);
    const check = verifier.verify(
      { header: (name) => c.req.header(name), rawBody: c.get('rawBody'), rawBytes: c.get('rawBytes') },
      active,
      Math.floor(d.now() / 1000),
    );
    if (!check.ok) {
      const log = { reason: check.reason, hint: verifier.hints[check.reason] };
      if (check.reason === 'no_secrets') {
        d.telemetry.error(`${verifier.name} signature rejected`, { ...log, configured: active.length });
      } else {
        d.telemetry.warn(`${verifier.name} signature rejected`, log);
      }
      throw new ApiError(verifier.failure.status, verifier.failure.code, verifier.messages[check.reason]);
    }
    if (check.id !== undefined) c.set('webhookId', check.id);
    await next();
  };
