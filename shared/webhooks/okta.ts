/**
 * Okta registration inline hook: Okta sends the `Authorization` header value configured on the hook verbatim
 * (docs/okta.md). The request is accepted when that value equals one of the active `OKTA_HOOK_SECRET` values,
 * compared in constant time; anything else is `401 unauthorized`.
 */
import { safeEqualAny } from '../http/secure-compare.js';
import { absent, refuse, usableSecrets, type Verifier } from './verifier.js';

export const OKTA_AUTH_HEADER = 'Authorization';
/** Longest header we compare: bounds the work an unauthenticated request can cause. */
export const OKTA_MAX_HEADER_LENGTH = 1024;

export const oktaVerifier: Verifier = {
  name: 'okta',
  failure: { status: 401, code: 'unauthorized' },
  messages: {
    missing: `missing ${OKTA_AUTH_HEADER} header`,
    malformed: `${OKTA_AUTH_HEADER} header is longer than ${OKTA_MAX_HEADER_LENGTH} characters`,
    stale: `${OKTA_AUTH_HEADER} header is not accepted`,
    future: `${OKTA_AUTH_HEADER} header is not accepted`,
    mismatch: `${OKTA_AUTH_HEADER} header matches no active hook secret`,
    no_secrets: `${OKTA_AUTH_HEADER} header cannot be checked: no hook secret is configured`,
  },
  hints: {
    missing: `no ${OKTA_AUTH_HEADER} header: the inline hook has no authentication configured`,
    malformed: `the ${OKTA_AUTH_HEADER} header is too long to be a hook secret`,
    stale: 'not used by this scheme',
    future: 'not used by this scheme',
    mismatch: `no active secret matches: the hook's ${OKTA_AUTH_HEADER} value in Okta differs from OKTA_HOOK_SECRET`,
    no_secrets: 'no Okta hook secret is configured',
  },
  verify(request, secrets) {
    const value = request.header(OKTA_AUTH_HEADER);
    if (absent(value)) return refuse('missing');
    if (value.length > OKTA_MAX_HEADER_LENGTH) return refuse('malformed');
    const active = usableSecrets(secrets);
    if (active.length === 0) return refuse('no_secrets');
    return safeEqualAny(value, active) ? { ok: true } : refuse('mismatch');
  },
};
