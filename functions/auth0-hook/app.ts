/**
 * `POST /hooks/auth0` (design 1.5): called by the shipped pre-user-registration Action with a subset of
 * Auth0's `event`, signed with `X-Signup-Gate-Signature`. Answers the verdict plus the policy's
 * `user_message`; `Idempotency-Key` makes a retried execution get the same verdict without a second
 * Defastra call, and is the verdict's `source_ref`.
 */
import type { Hono } from 'hono';
import { createBaseApp } from '../../shared/http/app-base.js';
import { auth0Signature } from '../../shared/http/auth0-signature.js';
import { parseJson, readBody } from '../../shared/http/body.js';
import type { AppEnv } from '../../shared/http/env.js';
import { readIdempotencyKey, verdictOnce } from '../../shared/http/idempotency.js';
import { allowOnly } from '../../shared/http/methods.js';
import { validate } from '../../shared/http/validation.js';
import type { Telemetry } from '../../shared/observability/telemetry.js';
import { resolveForSource } from '../../shared/policy/decide.js';
import type { DepsProvider } from '../../shared/runtime/deps.js';
import { prefetchCachedResults, type ScreenInput, screen } from '../../shared/screening/screen.js';
import type { Verdict } from '../../shared/screening/verdict.js';
import * as z from '../../shared/validation/zod.js';

export const AUTH0_HOOK_PATH = '/hooks/auth0';

const text = z.nullish(z.string());
/** Auth0 objects carry many more fields than we read: unknown keys pass, known ones must have the right type. */
const part = <T extends z.core.$ZodShape>(shape: T) => z.nullish(z.looseObject(shape));

/** The part of Auth0's pre-user-registration `event` we read, in Auth0's own field names; all optional. */
export const auth0EventSchema = z.looseObject({
  user: part({ email: text, phone_number: text, username: text }),
  request: part({ ip: text, user_agent: text, geoip: part({ countryCode: text }) }),
  connection: part({ name: text }),
  client: part({ client_id: text }),
  tenant: part({ id: text }),
  transaction: part({ id: text }),
});
export type Auth0Event = z.infer<typeof auth0EventSchema>;

/** The response: the verdict plus the text the Action shows the user on block. */
export type Auth0HookResponse = Verdict & { user_message: string };

/** Builds the Auth0 hook app; the local server and the `auth0-hook` Lambda both run it. */
export const createAuth0HookApp = (deps: DepsProvider, telemetry?: Telemetry): Hono<AppEnv> => {
  const app = createBaseApp(telemetry);

  const signature = auth0Signature(async () => {
    const d = await deps();
    return { secrets: d.auth0HookSecrets, now: d.now, telemetry: d.telemetry };
  });

  app.post(AUTH0_HOOK_PATH, readBody(), signature, parseJson(), async (c) => {
    const d = await deps();
    const event = validate(auth0EventSchema, c.get('json'));
    const key = readIdempotencyKey(c.req.header('idempotency-key'));
    const policy = resolveForSource(d.policy, 'auth0');
    const input: ScreenInput = {
      source: 'auth0',
      sourceRef: key,
      email: event.user?.email,
      phone: event.user?.phone_number,
    };
    // With a key, the cache reads overlap the idempotency claim instead of following it.
    const prefetch = key ? prefetchCachedResults(d, d.policy, input) : undefined;
    const run = () => screen(d, d.policy, input, prefetch ? { prefetch } : {});
    const verdict = await verdictOnce(
      d.store,
      { scope: 'auth0', key, rawBody: c.get('rawBody'), policy, nowMs: d.now() },
      run,
    );
    const body: Auth0HookResponse = { ...verdict, user_message: policy.user_message };
    return c.json(body, 200);
  });
  allowOnly(app, AUTH0_HOOK_PATH, ['POST']);

  return app;
};
