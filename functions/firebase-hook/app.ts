/**
 * `POST /hooks/firebase` (docs/firebase.md): called by the Firebase forwarder (`integrations/firebase/`, a
 * `beforeUserCreated` blocking function), signed like the Auth0 Actions with `FIREBASE_HOOK_SECRET` (401 otherwise),
 * the blocking event's id as `Idempotency-Key`. Screened once per event id (the run-once key and `source_ref`; the
 * same key with another body is 422, a concurrent repeat 409), the uid as `subject_ref`; answers `200` the verdict
 * (its `action` is what the forwarder follows) plus the policy's `user_message`. Errors are answered as errors: the
 * forwarder's own fail mode (`SIGNUP_GATE_FAIL_CLOSED`) decides what they mean for the sign-up.
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
import { firebaseVerifier } from '../../shared/webhooks/firebase.js';
import { pathOf } from '../routes.js';
import { firebaseAnswer } from './answer.js';
import { firebaseEventSchema, firebaseRunOnceKey, firebaseScreenInput } from './event.js';

export const FIREBASE_HOOK_PATH = pathOf('firebase-hook');

/** Builds the Firebase hook app; the local server and the `firebase-hook` Lambda both run it. */
export const createFirebaseHookApp = (deps: DepsProvider, telemetry?: Telemetry): Hono<AppEnv> => {
  const app = createBaseApp(telemetry);

  const signature = verifySignature(firebaseVerifier, (d) => d.hookSecrets.firebase(), deps);

  app.post(FIREBASE_HOOK_PATH, readBody(), signature, parseJson(), async (c) => {
    const d = await deps();
    const event = validate(firebaseEventSchema, c.get('json'));
    // The verified delivery id is the signed Idempotency-Key, when the forwarder sent one.
    const key = firebaseRunOnceKey(event, c.get('webhookId'));
    const { verdict, policy } = await screenOnce(d, {
      input: firebaseScreenInput(event, key),
      once: key ? { key, body: c.get('rawBody') } : null,
    });
    c.set('verdictId', verdict.verdict_id);
    const answer = firebaseAnswer(verdict, policy.user_message);
    return c.json(answer.body, answer.status);
  });
  allowOnly(app, FIREBASE_HOOK_PATH, ['POST']);

  return app;
};
