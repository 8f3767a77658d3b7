/**
 * `POST /hooks/workos` (docs/workos.md): WorkOS AuthKit's user registration Action. `WorkOS-Signature` must verify
 * against an active `WORKOS_ACTIONS_SECRET` (else 401); the registration is screened once per Action call `id` (the
 * run-once key and `source_ref`) and answered after the verdict's `action` with the response the official SDK signs
 * (`actions.signResponse`) with the secret that vouched for the request: `Allow` for allow and review, `Deny` with
 * the policy's `user_message` for block. WorkOS denies by default when it gets no valid answer, so a screening that
 * cannot finish answers `on_error.workos` (functions/hook-fail-mode.ts), signed the same way.
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
import { workosSigningSecret, workosVerifier } from '../../shared/webhooks/workos.js';
import { screenOrOnError } from '../hook-fail-mode.js';
import { pathOf } from '../routes.js';
import { workosAnswer } from './answer.js';
import { workosEventSchema, workosRunOnceKey, workosScreenInput } from './event.js';
import { signWorkosResponse } from './sign-response.js';

export const WORKOS_HOOK_PATH = pathOf('workos-hook');

/** Builds the WorkOS Actions app; the local server and the `workos-hook` Lambda both run it. */
export const createWorkosHookApp = (deps: DepsProvider, telemetry?: Telemetry): Hono<AppEnv> => {
  const app = createBaseApp(telemetry);

  const signature = verifySignature(workosVerifier, (d) => d.hookSecrets.workos(), deps);

  app.post(WORKOS_HOOK_PATH, readBody(), signature, parseJson(), async (c) => {
    const d = await deps();
    const secrets = await d.hookSecrets.workos();
    // The secret that vouched (checked again: the middleware keeps only the verdict); the answer is signed with it.
    const signing =
      workosSigningSecret(
        { header: (name) => c.req.header(name), rawBody: c.get('rawBody'), rawBytes: c.get('rawBytes') },
        secrets,
        Math.floor(d.now() / 1000),
      ) ?? secrets[0]!;
    const event = validate(workosEventSchema, c.get('json'));
    const { verdict, action, policy } = await screenOrOnError(d, {
      input: workosScreenInput(event),
      once: { key: workosRunOnceKey(event), body: c.get('rawBody') },
    });
    if (verdict) c.set('verdictId', verdict.verdict_id);
    return c.json(await signWorkosResponse(workosAnswer({ action }, policy.user_message), signing), 200);
  });
  allowOnly(app, WORKOS_HOOK_PATH, ['POST']);

  return app;
};
