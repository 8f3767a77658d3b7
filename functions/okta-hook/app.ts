/**
 * `POST /hooks/okta` (docs/okta.md): Okta Identity Engine's registration inline hook. The `Authorization` header must
 * equal an active `OKTA_HOOK_SECRET` (else 401); the registration is screened once per `eventId` (the run-once key
 * and `source_ref`) and answered in Okta's format after the verdict's `action`: always `200`, `ALLOW` for allow and
 * review, `DENY` with the policy's `user_message` for block. Okta denies the registration on any other answer or a
 * timeout, so a screening that cannot finish answers `on_error.okta` (functions/hook-fail-mode.ts).
 *
 * Checks run in the contract's order (docs/api.md): 404/405, 413, authorization (401), 415, then 400.
 */
import type { Hono } from 'hono';
import { createBaseApp } from '../../shared/http/app-base.js';
import { parseJson, readBody } from '../../shared/http/body.js';
import type { AppEnv } from '../../shared/http/env.js';
import { allowOnly } from '../../shared/http/methods.js';
import { validate } from '../../shared/http/validation.js';
import { verifySignature } from '../../shared/http/verify-signature.js';
import type { Telemetry } from '../../shared/observability/telemetry.js';
import type { DepsProvider } from '../../shared/runtime/deps.js';
import { oktaVerifier } from '../../shared/webhooks/okta.js';
import { screenOrOnError } from '../hook-fail-mode.js';
import { pathOf } from '../routes.js';
import { oktaAnswer } from './answer.js';
import { oktaEventSchema, oktaRunOnceKey, oktaScreenInput } from './event.js';

export const OKTA_HOOK_PATH = pathOf('okta-hook');

/** Builds the Okta hook app; the local server and the `okta-hook` Lambda both run it. */
export const createOktaHookApp = (deps: DepsProvider, telemetry?: Telemetry): Hono<AppEnv> => {
  const app = createBaseApp(telemetry);

  const authorization = verifySignature(oktaVerifier, (d) => d.hookSecrets.okta(), deps);

  app.post(OKTA_HOOK_PATH, readBody(), authorization, parseJson(), async (c) => {
    const d = await deps();
    const event = validate(oktaEventSchema, c.get('json'));
    const { verdict, action, policy } = await screenOrOnError(d, {
      input: oktaScreenInput(event),
      once: { key: oktaRunOnceKey(event), body: c.get('rawBody') },
    });
    if (verdict) c.set('verdictId', verdict.verdict_id);
    const answer = oktaAnswer({ action }, policy.user_message);
    return c.json(answer.body, answer.status);
  });
  allowOnly(app, OKTA_HOOK_PATH, ['POST']);

  return app;
};
