/**
 * The Firebase forwarder's requests (integrations/firebase/, docs/firebase.md): signed like the Auth0 Actions
 * (`X-Signup-Gate-Signature` over `<t>.<Idempotency-Key>.<raw body>`, the key being the blocking event's id) and
 * checked by `auth0Verifier` against `FIREBASE_HOOK_SECRET`; else `401 unauthorized`. The signed
 * `Idempotency-Key` is returned as the delivery id.
 */
import { AUTH0_SIGNATURE_TOLERANCE_SEC, auth0Verifier, IDEMPOTENCY_KEY_HEADER } from './auth0.js';
import { usableSecrets, type Verifier } from './verifier.js';

export const firebaseVerifier: Verifier = {
  ...auth0Verifier,
  name: 'firebase',
  hints: {
    missing: 'no signature header: not a call from the shipped Firebase forwarder',
    malformed: 'the signature header is not t=<unix seconds>,v1=<hex>',
    stale: `the signature timestamp is more than ${AUTH0_SIGNATURE_TOLERANCE_SEC} s old (a replay, or a clock far off)`,
    future: `the signature timestamp is more than ${AUTH0_SIGNATURE_TOLERANCE_SEC} s ahead (a clock far off)`,
    mismatch:
      "no active secret matches: the forwarder's SIGNUP_GATE_SECRET differs from FIREBASE_HOOK_SECRET",
    no_secrets: 'no Firebase hook secret is configured',
  },
  verify(request, secrets, nowSec) {
    const check = auth0Verifier.verify(request, usableSecrets(secrets), nowSec);
    if (!check.ok) return check;
    const key = request.header(IDEMPOTENCY_KEY_HEADER);
    return key === undefined ? { ok: true } : { ok: true, id: key };
  },
};
