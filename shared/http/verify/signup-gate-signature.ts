/**
 * signup-gate's own request signature, for the callers the project ships (the Auth0 Actions, the Firebase
 * forwarder): `X-Signup-Gate-Signature: t=<unix s>,v1=<hex>` over `<t>.<Idempotency-Key>.<raw body>` (or
 * `<t>.<raw body>` without a key), any active secret, 300 s either way; else `401 unauthorized`. The checking
 * is `verifyAuth0Signature`'s (docs/auth0.md); a signed `Idempotency-Key` is returned as the delivery id.
 */
import {
  AUTH0_SIGNATURE_HEADER,
  AUTH0_SIGNATURE_TOLERANCE_SEC,
  IDEMPOTENCY_KEY_HEADER,
  verifyAuth0Signature,
} from '../auth0-signature.js';
import { usableSecrets, type Verifier } from './verifier.js';

/** The verifier of one caller of the scheme (`name` for logs: 'auth0', 'firebase'). */
export const signupGateSignatureVerifier = (name: string): Verifier => ({
  name,
  failure: { status: 401, code: 'unauthorized' },
  messages: {
    missing: `missing ${AUTH0_SIGNATURE_HEADER} header`,
    malformed: `${AUTH0_SIGNATURE_HEADER} must look like t=<unix seconds>,v1=<hex HMAC-SHA256>`,
    stale: `${AUTH0_SIGNATURE_HEADER} timestamp is more than ${AUTH0_SIGNATURE_TOLERANCE_SEC} s old`,
    future: `${AUTH0_SIGNATURE_HEADER} timestamp is more than ${AUTH0_SIGNATURE_TOLERANCE_SEC} s in the future`,
    mismatch: `${AUTH0_SIGNATURE_HEADER} does not match the body (and ${IDEMPOTENCY_KEY_HEADER}, when sent) for any active secret`,
    no_secrets: `${AUTH0_SIGNATURE_HEADER} cannot be checked: no hook secret is configured`,
  },
  verify(request, secrets, nowSec) {
    const idempotencyKey = request.header(IDEMPOTENCY_KEY_HEADER) ?? null;
    const check = verifyAuth0Signature(
      request.header(AUTH0_SIGNATURE_HEADER),
      request.rawBody,
      usableSecrets(secrets),
      nowSec,
      {
        idempotencyKey,
      },
    );
    if (!check.ok) return check;
    return idempotencyKey === null ? { ok: true } : { ok: true, id: idempotencyKey };
  },
});

/** The Firebase forwarder's requests (integrations/firebase/, docs/firebase.md), `FIREBASE_HOOK_SECRET`. */
export const firebaseVerifier = signupGateSignatureVerifier('firebase');
