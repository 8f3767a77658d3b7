/**
 * `POST /hooks/kratos` (docs/kratos.md): an Ory Kratos registration `web_hook` with `can_interrupt: true`, its body
 * rendered by `integrations/kratos/signup-gate-body.jsonnet`. `Authorization: Bearer <KRATOS_HOOK_SECRET>` (else
 * 401); screened once per Kratos hook execution (the `Ory-Webhook-Trigger-ID` header, when Kratos sends it), the flow
 * id as `source_ref`; answered after the verdict's `action`: `200 {}` for allow and review, `403` with Kratos'
 * `messages` (the policy's `user_message` on the email field) for block. Kratos fails the registration on any other
 * answer or a timeout, so a screening that cannot finish answers `on_error.kratos` (functions/hook-fail-mode.ts).
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
import { kratosVerifier } from '../../shared/webhooks/kratos.js';
import { screenOrOnError } from '../hook-fail-mode.js';
import { pathOf } from '../routes.js';
import { kratosAnswer } from './answer.js';
import { KRATOS_TRIGGER_ID_HEADER, kratosEventSchema, kratosRunOnceKey, kratosScreenInput } from './event.js';

export const KRATOS_HOOK_PATH = pathOf('kratos-hook');

/** Builds the Kratos hook app; the local server and the `kratos-hook` Lambda both run it. */
export const createKratosHookApp = (deps: DepsProvider, telemetry?: Telemetry): Hono<AppEnv> => {
  const app = createBaseApp(telemetry);

  const authorization = verifySignature(kratosVerifier, (d) => d.hookSecrets.kratos(), deps);

  app.post(KRATOS_HOOK_PATH, readBody(), authorization, parseJson(), async (c) => {
    const d = await deps();
    const event = validate(kratosEventSchema, c.get('json'));
    const key = kratosRunOnceKey(c.req.header(KRATOS_TRIGGER_ID_HEADER));
    const { verdict, action, policy } = await screenOrOnError(d, {
      input: kratosScreenInput(event),
      once: key ? { key, body: c.get('rawBody') } : null,
    });
    if (verdict) c.set('verdictId', verdict.verdict_id);
    const answer = kratosAnswer({ action }, policy.user_message);
    return c.json(answer.body, answer.status);
  });
  allowOnly(app, KRATOS_HOOK_PATH, ['POST']);

  return app;
};
