/**
 * `POST /hooks/auth0` (docs/auth0.md): called by the shipped pre-user-registration and post-login Actions with
 * a subset of Auth0's `event`, signed with `X-Signup-Gate-Signature` (over the body and the
 * `Idempotency-Key`). Answers the verdict plus the policy's `user_message`; `Idempotency-Key` makes a
 * retried execution get the same verdict without a second Defastra call, and is the verdict's `source_ref`.
 */
import type { Hono } from 'hono';
import type { Verdict } from '../../shared/core/verdict.js';
import { createBaseApp } from '../../shared/http/app-base.js';
import { parseJson, readBody } from '../../shared/http/body.js';
import type { AppEnv } from '../../shared/http/env.js';
import { readIdempotencyKey } from '../../shared/http/idempotency.js';
import { allowOnly } from '../../shared/http/methods.js';
import { validate } from '../../shared/http/validation.js';
import { verifySignature } from '../../shared/http/verify-signature.js';
import type { Telemetry } from '../../shared/observability/telemetry.js';
import type { DepsProvider } from '../../shared/runtime/deps.js';
import { screenOnce } from '../../shared/screening/screen-once.js';
import { auth0Verifier } from '../../shared/webhooks/auth0.js';
import { pathOf } from '../routes.js';
import { auth0EventSchema, auth0ScreenInput } from './event.js';

export { type Auth0Event, auth0EventSchema } from './event.js';

export const AUTH0_HOOK_PATH = pathOf('auth0-hook');

/** The response: the verdict plus the text the Action shows the user on block. */
export type Auth0HookResponse = Verdict & { user_message: string };

/** Builds the Auth0 hook app; the local server and the `auth0-hook` Lambda both run it. */
export const createAuth0HookApp = (deps: DepsProvider, telemetry?: Telemetry): Hono<AppEnv> => {
  const app = createBaseApp(telemetry);

  const signature = verifySignature(auth0Verifier, (d) => d.auth0HookSecrets(), deps);

  app.post(AUTH0_HOOK_PATH, readBody(), signature, parseJson(), async (c) => {
    const d = await deps();
    const event = validate(auth0EventSchema, c.get('json'));
    const key = readIdempotencyKey(c.req.header('idempotency-key'));
    const { verdict, policy } = await screenOnce(d, {
      input: auth0ScreenInput(event, key),
      once: key ? { key, body: c.get('rawBody') } : null,
    });
    c.set('verdictId', verdict.verdict_id);
    const body: Auth0HookResponse = { ...verdict, user_message: policy.user_message };
    return c.json(body, 200);
  });
  allowOnly(app, AUTH0_HOOK_PATH, ['POST']);

  return app;
};
