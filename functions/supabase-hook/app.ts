/**
 * `POST /hooks/supabase` (docs/supabase.md): Supabase Auth's `before-user-created` HTTP hook. Verified as
 * Standard Webhooks, screened once per `metadata.uuid` (the idempotency key and the verdict's `source_ref`; the
 * `webhook-id` when the payload has none), answered in Supabase's format after the verdict's `action`: `200 {}`
 * lets the sign-up go on (allow and review), `200` with `{"error":{"http_code":403,"message":<user_message>}}`
 * refuses it (block). Supabase Auth reads a hook's body only on 200 and 202, so a refusal is a 200 too.
 *
 * Checks run in the contract's order (docs/api.md): 404/405, 413, signature (401), 415, then 400.
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
import { screenOnce } from '../../shared/screening/screen-once.js';
import { standardWebhooksVerifier } from '../../shared/webhooks/standard-webhooks.js';
import { pathOf } from '../routes.js';
import { supabaseEventSchema, supabaseRunOnceKey, supabaseScreenInput } from './event.js';

export const SUPABASE_HOOK_PATH = pathOf('supabase-hook');

const supabaseVerifier = standardWebhooksVerifier('supabase');

/** Supabase's reject format, sent with status 200: its Auth server answers the sign-up with this status and message. */
export interface SupabaseRejection {
  error: { http_code: 403; message: string };
}

/** Builds the Supabase hook app; the local server and the `supabase-hook` Lambda both run it. */
export const createSupabaseHookApp = (deps: DepsProvider, telemetry?: Telemetry): Hono<AppEnv> => {
  const app = createBaseApp(telemetry);

  const signature = verifySignature(supabaseVerifier, (d) => d.supabaseHookSecrets(), deps);

  app.post(SUPABASE_HOOK_PATH, readBody(), signature, parseJson(), async (c) => {
    const d = await deps();
    const event = validate(supabaseEventSchema, c.get('json'));
    // The webhook-id is verified by the middleware: present and shaped like an idempotency key.
    const key = supabaseRunOnceKey(event, c.get('webhookId'));
    const { verdict, policy } = await screenOnce(d, {
      input: supabaseScreenInput(event, key),
      once: { key, body: c.get('rawBody') },
    });
    c.set('verdictId', verdict.verdict_id);
    if (verdict.action === 'block') {
      const body: SupabaseRejection = { error: { http_code: 403, message: policy.user_message } };
      return c.json(body, 200);
    }
    return c.json({}, 200);
  });
  allowOnly(app, SUPABASE_HOOK_PATH, ['POST']);

  return app;
};
