/**
 * Auth0 (docs/enforcement.md): the Management API with a client-credentials token of a machine-to-machine application
 * (scopes `read:users`, `update:users`), cached until shortly before it expires. The user is found by the verdict id
 * both shipped Actions record in `app_metadata.signup_gate.verdict_id` (or, failing that, by the `user_id` a
 * post-login verdict carries), then `PATCH /api/v2/users/{id}` with `{ "blocked": true }` (`false` to undo).
 */
import { baseUrlOf, jsonOf, type ProviderHttp, send } from '../http.js';
import { type Account, type AccountProvider, EnforcementError } from '../port.js';

export interface Auth0Settings extends ProviderHttp {
  /** `AUTH0_DOMAIN`: the tenant's domain (`tenant.eu.auth0.com`) or a full http(s) base URL. */
  domain: string;
  clientId: string;
  /** Read on each token request (a rotated secret is picked up); null when not set. */
  clientSecret: () => Promise<string | null>;
  now?: () => number;
}

/** A token is renewed this long before Auth0 says it expires. */
const EXPIRY_MARGIN_MS = 60_000;
/** Auth0 user ids are `<provider>|<id>`; nothing that could leave the path. */
const USER_ID = /^[^\s/?#]{1,255}$/;

interface Token {
  value: string;
  expiresAt: number;
}

export const createAuth0Provider = (settings: Auth0Settings): AccountProvider => {
  const base = baseUrlOf(settings.domain);
  const now = settings.now ?? Date.now;
  let token: Token | undefined;

  const fetchToken = async (): Promise<Token> => {
    const secret = await settings.clientSecret();
    if (!secret) throw new EnforcementError('not_configured', false);
    const response = await send(settings, `${base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: settings.clientId,
        client_secret: secret,
        audience: `${base}/api/v2/`,
      }),
    }).catch((error: unknown) => {
      // A refused client (401/403 at the token endpoint) will be refused again.
      if (error instanceof EnforcementError && /^http_40[13]$/.test(error.code)) {
        throw new EnforcementError('token_refused', false);
      }
      throw error;
    });
    const body = (await jsonOf(response)) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new EnforcementError('bad_response', true);
    }
    const seconds = typeof body.expires_in === 'number' ? body.expires_in : 0;
    return { value: body.access_token, expiresAt: now() + seconds * 1000 - EXPIRY_MARGIN_MS };
  };

  /** A Management API call with the cached token; a 401 (revoked or expired early) gets one fresh token. */
  const call = async (path: string, init: RequestInit): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      if (token === undefined || now() >= token.expiresAt) token = await fetchToken();
      try {
        return await send(settings, `${base}${path}`, {
          ...init,
          headers: { ...init.headers, authorization: `Bearer ${token.value}`, accept: 'application/json' },
        });
      } catch (error) {
        if (attempt === 0 && error instanceof EnforcementError && error.code === 'http_401') {
          token = undefined;
          continue;
        }
        throw error;
      }
    }
  };

  /** The users whose app_metadata carries the verdict id; else the post-login verdict's user id. */
  const usersOf = async (account: Account): Promise<string[]> => {
    const query = new URLSearchParams({
      q: `app_metadata.signup_gate.verdict_id:"${account.verdictId}"`,
      search_engine: 'v3',
      fields: 'user_id',
    });
    const found = await jsonOf(await call(`/api/v2/users?${query}`, { method: 'GET' }));
    const ids = Array.isArray(found)
      ? found
          .map((user) => (user as { user_id?: unknown } | null)?.user_id)
          .filter((id): id is string => typeof id === 'string' && USER_ID.test(id))
      : [];
    if (ids.length > 0) return ids;
    if (account.subjectRef !== null && USER_ID.test(account.subjectRef)) return [account.subjectRef];
    // The search index trails a new user by a few seconds: worth another try.
    throw new EnforcementError('user_not_found', true);
  };

  const setBlocked = async (account: Account, blocked: boolean): Promise<void> => {
    for (const userId of await usersOf(account)) {
      await call(`/api/v2/users/${encodeURIComponent(userId)}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ blocked }),
      });
    }
  };

  return {
    block: (account) => setBlocked(account, true),
    unblock: (account) => setBlocked(account, false),
  };
};
