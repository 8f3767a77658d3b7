/**
 * `POST /hooks/clerk` (docs/clerk.md): Clerk's webhooks, delivered by Svix after the user exists, verified as
 * Standard Webhooks under `svix-*` headers (401 otherwise). Screens `user.created` once per `svix-id` (Svix keeps
 * it across retries: the run-once key and `source_ref`), the Clerk user id as `subject_ref` (what enforcement bans);
 * answers `200` the verdict, or `200` ignored for other event types. A concurrent retry is `409` (Svix retries),
 * the same `svix-id` with another body `422`.
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
import { clerkVerifier } from '../../shared/webhooks/clerk.js';
import { pathOf } from '../routes.js';
import { clerkAnswer, clerkIgnored } from './answer.js';
import { clerkEventSchema, clerkScreenInput } from './event.js';

export const CLERK_HOOK_PATH = pathOf('clerk-hook');

/** Builds the Clerk webhook app; the local server and the `clerk-hook` Lambda both run it. */
export const createClerkHookApp = (deps: DepsProvider, telemetry?: Telemetry): Hono<AppEnv> => {
  const app = createBaseApp(telemetry);

  const signature = verifySignature(clerkVerifier, (d) => d.hookSecrets.clerk(), deps);

  app.post(CLERK_HOOK_PATH, readBody(), signature, parseJson(), async (c) => {
    const d = await deps();
    const event = validate(clerkEventSchema, c.get('json'));
    // Verified by the middleware: present and shaped like an idempotency key.
    const svixId = c.get('webhookId');
    const input = clerkScreenInput(event, svixId);
    if (!input) {
      d.telemetry.info('clerk event ignored', { event_id: svixId, event_type: event.type });
      const ignored = clerkIgnored(event, svixId);
      return c.json(ignored.body, ignored.status);
    }
    const { verdict } = await screenOnce(d, { input, once: { key: svixId, body: c.get('rawBody') } });
    c.set('verdictId', verdict.verdict_id);
    const answer = clerkAnswer(verdict);
    return c.json(answer.body, answer.status);
  });
  allowOnly(app, CLERK_HOOK_PATH, ['POST']);

  return app;
};
