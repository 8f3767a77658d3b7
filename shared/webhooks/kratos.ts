/**
 * Ory Kratos registration web hook with `api_key` auth: Kratos sends `Authorization: Bearer <secret>`
 * (docs/kratos.md). The token must equal one of the active `KRATOS_HOOK_SECRET` values, compared in constant
 * time; anything else is `401 unauthorized`.
 */
import { safeEqualAny } from '../http/secure-compare.js';
import { absent, refuse, usableSecrets, type Verifier } from './verifier.js';

export const KRATOS_AUTH_HEADER = 'Authorization';
/** Longest header we read: bounds the work an unauthenticated request can cause. */
export const KRATOS_MAX_HEADER_LENGTH = 1024;
const BEARER = /^Bearer +(\S+)$/i;

export const kratosVerifier: Verifier = {
  name: 'kratos',
  failure: { status: 401, code: 'unauthorized' },
  messages: {
    missing: `missing ${KRATOS_AUTH_HEADER} header`,
    malformed: `${KRATOS_AUTH_HEADER} header must be "Bearer <token>"`,
    stale: `${KRATOS_AUTH_HEADER} header is not accepted`,
    future: `${KRATOS_AUTH_HEADER} header is not accepted`,
    mismatch: 'bearer token matches no active hook secret',
    no_secrets: 'bearer token cannot be checked: no hook secret is configured',
  },
  hints: {
    missing: `no ${KRATOS_AUTH_HEADER} header: the web hook has no api_key auth configured`,
    malformed: `the ${KRATOS_AUTH_HEADER} header is not "Bearer <token>" (is the api_key's name Authorization and its value "Bearer ..."?)`,
    stale: 'not used by this scheme',
    future: 'not used by this scheme',
    mismatch: "no active secret matches: the web hook's api_key value differs from KRATOS_HOOK_SECRET",
    no_secrets: 'no Kratos hook secret is configured',
  },
  verify(request, secrets) {
    const value = request.header(KRATOS_AUTH_HEADER);
    if (absent(value)) return refuse('missing');
    const match = value.length > KRATOS_MAX_HEADER_LENGTH ? null : BEARER.exec(value.trim());
    if (!match) return refuse('malformed');
    const active = usableSecrets(secrets);
    if (active.length === 0) return refuse('no_secrets');
    return safeEqualAny(match[1]!, active) ? { ok: true } : refuse('mismatch');
  },
};
