/**
 * signup-gate for Firebase Authentication / Identity Platform: a blocking function run before every user is
 * created (docs/firebase.md). Settings: `SIGNUP_GATE_URL` (…/hooks/firebase), the secret `FIREBASE_HOOK_SECRET`
 * (the same value as signup-gate's), optional `SIGNUP_GATE_FAIL_CLOSED` (default false: an unreachable
 * signup-gate lets the sign-up proceed).
 */
import { defineBoolean, defineSecret, defineString } from 'firebase-functions/params';
import { beforeUserCreated, HttpsError } from 'firebase-functions/v2/identity';
import { screenSignup } from './forward.js';

const url = defineString('SIGNUP_GATE_URL');
const secret = defineSecret('FIREBASE_HOOK_SECRET');
const failClosed = defineBoolean('SIGNUP_GATE_FAIL_CLOSED', { default: false });

export const signupGateBeforeCreate = beforeUserCreated({ secrets: [secret], timeoutSeconds: 7 }, (event) =>
  screenSignup(event, {
    url: url.value(),
    secret: secret.value(),
    failClosed: failClosed.value(),
    HttpsError,
  }),
);
