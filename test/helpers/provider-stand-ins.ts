/**
 * Test helper: local HTTP stand-ins for the provider APIs enforcement calls (docs/enforcement.md), each playing the
 * few endpoints signup-gate uses with the provider's paths, authentication and answer shapes: the Auth0 Management
 * API (client-credentials token, user search by app_metadata, PATCH blocked), the Supabase Auth admin API (PUT
 * ban_duration), Clerk's Backend API (ban, unban) and Cognito's JSON 1.1 API (AdminDisableUser, AdminEnableUser).
 * Each records its calls and can be told to fail (a status for the next N calls).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface StandInCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  status: number;
}

export interface FailRule {
  status: number;
  /** Only calls whose `METHOD /path` matches. */
  match?: RegExp;
  /** How many calls fail (default: until clearFailures). */
  times?: number;
}

export interface StandIn {
  url: string;
  calls: StandInCall[];
  callsTo(method: string, path: RegExp): StandInCall[];
  fail(rule: FailRule): void;
  clearFailures(): void;
  resetCalls(): void;
  close(): Promise<void>;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
type Route = (call: Omit<StandInCall, 'status'>) => Answer;

/** An HTTP server answering by `route`, recording every call, honouring failure rules. */
const startServer = async (route: Route): Promise<StandIn> => {
  const calls: StandInCall[] = [];
  let rules: FailRule[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://stand-in');
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // kept as text
      }
      const call = {
        method: request.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: request.headers,
        body,
      };
      const rule = rules.find((r) => !r.match || r.match.test(`${call.method} ${call.path}`));
      let answer: Answer;
      if (rule) {
        if (rule.times !== undefined && --rule.times <= 0) rules = rules.filter((r) => r !== rule);
        answer = { status: rule.status, body: { error: 'stand-in failure', statusCode: rule.status } };
      } else {
        try {
          answer = route(call);
        } catch (error) {
          answer = { status: 500, body: { error: String(error) } };
        }
      }
      calls.push({ ...call, status: answer.status });
      response.writeHead(answer.status, {
        'content-type': 'application/json',
        ...answer.headers,
      });
      response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    callsTo: (method, path) => calls.filter((c) => c.method === method && path.test(c.path)),
    fail: (rule) => rules.push({ ...rule }),
    clearFailures: () => {
      rules = [];
    },
    resetCalls: () => {
      calls.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};

const bearer = (headers: http.IncomingHttpHeaders): string | undefined =>
  /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1];

// ---- Auth0 Management API -------------------------------------------------------------------------------

export interface Auth0User {
  user_id: string;
  app_metadata: Record<string, unknown>;
  blocked?: boolean;
}

export interface Auth0StandIn extends StandIn {
  clientId: string;
  clientSecret: string;
  addUser(user: Auth0User): void;
  user(id: string): Auth0User | undefined;
  /** Tokens issued so far. */
  tokensIssued(): number;
  /** Makes every issued token invalid (as a revoked grant would). */
  revokeTokens(): void;
}

/** The Management API: `POST /oauth/token`, `GET /api/v2/users?q=...&search_engine=v3`, `PATCH /api/v2/users/{id}`. */
export const startAuth0StandIn = async (options: { expiresIn?: number } = {}): Promise<Auth0StandIn> => {
  const clientId = `client_${randomBytes(6).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('hex');
  const users = new Map<string, Auth0User>();
  const tokens = new Set<string>();
  let issued = 0;
  let base = '';
  const standIn = await startServer((call) => {
    if (call.method === 'POST' && call.path === '/oauth/token') {
      const body = call.body as Record<string, unknown>;
      if (
        body?.grant_type !== 'client_credentials' ||
        body.client_id !== clientId ||
        body.client_secret !== clientSecret
      ) {
        return { status: 401, body: { error: 'access_denied' } };
      }
      if (body.audience !== `${base}/api/v2/`) return { status: 403, body: { error: 'access_denied' } };
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      issued++;
      return {
        status: 200,
        body: {
          access_token: token,
          scope: 'read:users update:users',
          expires_in: options.expiresIn ?? 86_400,
          token_type: 'Bearer',
        },
      };
    }
    const token = bearer(call.headers);
    if (!token || !tokens.has(token))
      return { status: 401, body: { statusCode: 401, error: 'Unauthorized' } };
    if (call.method === 'GET' && call.path === '/api/v2/users') {
      const match = /^app_metadata\.signup_gate\.verdict_id:"([^"]+)"$/.exec(call.query.q ?? '');
      if (!match || call.query.search_engine !== 'v3') return { status: 400, body: { error: 'Bad Request' } };
      const found = [...users.values()].filter(
        (u) => (u.app_metadata.signup_gate as { verdict_id?: unknown } | undefined)?.verdict_id === match[1],
      );
      return { status: 200, body: found.map((u) => ({ user_id: u.user_id })) };
    }
    const patch = /^\/api\/v2\/users\/([^/]+)$/.exec(call.path);
    if (call.method === 'PATCH' && patch) {
      const user = users.get(decodeURIComponent(patch[1]!));
      if (!user) return { status: 404, body: { statusCode: 404, error: 'Not Found' } };
      const { blocked } = call.body as { blocked?: unknown };
      if (typeof blocked !== 'boolean') return { status: 400, body: { error: 'Bad Request' } };
      user.blocked = blocked;
      return { status: 200, body: user };
    }
    return { status: 404, body: { error: 'Not Found' } };
  });
  base = standIn.url;
  return {
    ...standIn,
    clientId,
    clientSecret,
    addUser: (user) => users.set(user.user_id, structuredClone(user)),
    user: (id) => users.get(id),
    tokensIssued: () => issued,
    revokeTokens: () => tokens.clear(),
  };
};

// ---- Supabase Auth admin API ------------------------------------------------------------------------------

export interface SupabaseStandIn extends StandIn {
  serviceRoleKey: string;
  addUser(id: string): void;
  /** The user's ban_duration as last set (undefined: never set), or null for an unknown user. */
  banOf(id: string): string | undefined | null;
}

/** `PUT /auth/v1/admin/users/{id}` with the service role key as bearer and `apikey`. */
export const startSupabaseStandIn = async (): Promise<SupabaseStandIn> => {
  const serviceRoleKey = `eyJ.${randomBytes(24).toString('base64url')}`;
  const bans = new Map<string, string | undefined>();
  const standIn = await startServer((call) => {
    if (bearer(call.headers) !== serviceRoleKey || call.headers.apikey !== serviceRoleKey) {
      return { status: 401, body: { code: 401, msg: 'invalid JWT' } };
    }
    const match = /^\/auth\/v1\/admin\/users\/([^/]+)$/.exec(call.path);
    if (call.method !== 'PUT' || !match) return { status: 404, body: { code: 404, msg: 'Not Found' } };
    if (!bans.has(match[1]!)) return { status: 404, body: { code: 404, msg: 'User not found' } };
    const { ban_duration } = call.body as { ban_duration?: unknown };
    if (typeof ban_duration !== 'string') return { status: 400, body: { code: 400, msg: 'bad' } };
    bans.set(match[1]!, ban_duration);
    return { status: 200, body: { id: match[1], banned_until: ban_duration === 'none' ? null : 'later' } };
  });
  return {
    ...standIn,
    serviceRoleKey,
    addUser: (id) => bans.set(id, undefined),
    banOf: (id) => (bans.has(id) ? bans.get(id) : null),
  };
};

// ---- Clerk Backend API -------------------------------------------------------------------------------------

export interface ClerkStandIn extends StandIn {
  secretKey: string;
  addUser(id: string): void;
  /** Whether the user is banned; null for an unknown user. */
  bannedOf(id: string): boolean | null;
}

/** `POST /v1/users/{id}/ban` and `/unban` with the secret key as bearer. */
export const startClerkStandIn = async (): Promise<ClerkStandIn> => {
  const secretKey = `sk_test_${randomBytes(16).toString('hex')}`;
  const banned = new Map<string, boolean>();
  const standIn = await startServer((call) => {
    if (bearer(call.headers) !== secretKey) {
      return { status: 401, body: { errors: [{ code: 'authentication_invalid' }] } };
    }
    const match = /^\/v1\/users\/([^/]+)\/(ban|unban)$/.exec(call.path);
    if (call.method !== 'POST' || !match) return { status: 404, body: { errors: [] } };
    if (!banned.has(match[1]!)) return { status: 404, body: { errors: [{ code: 'resource_not_found' }] } };
    banned.set(match[1]!, match[2] === 'ban');
    return { status: 200, body: { id: match[1], object: 'user', banned: match[2] === 'ban' } };
  });
  return {
    ...standIn,
    secretKey,
    addUser: (id) => banned.set(id, false),
    bannedOf: (id) => banned.get(id) ?? null,
  };
};

// ---- Cognito (AWS JSON 1.1) ------------------------------------------------------------------------------

export interface CognitoStandIn extends StandIn {
  addUser(poolId: string, userName: string): void;
  /** Whether the user is enabled; null for an unknown user. */
  enabledOf(poolId: string, userName: string): boolean | null;
}

/** `X-Amz-Target: AWSCognitoIdentityProviderService.AdminDisableUser` / `AdminEnableUser`, SigV4-signed. */
export const startCognitoStandIn = async (): Promise<CognitoStandIn> => {
  const enabled = new Map<string, boolean>();
  const key = (pool: string, user: string) => `${pool}\n${user}`;
  const error = (status: number, type: string): Answer => ({
    status,
    body: { __type: type, message: type },
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
  });
  const standIn = await startServer((call) => {
    if (!String(call.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
      return error(400, 'MissingAuthenticationTokenException');
    }
    const target = String(call.headers['x-amz-target'] ?? '');
    const operation = /^AWSCognitoIdentityProviderService\.(AdminDisableUser|AdminEnableUser)$/.exec(
      target,
    )?.[1];
    if (call.method !== 'POST' || !operation) return error(400, 'UnknownOperationException');
    const input = call.body as { UserPoolId?: unknown; Username?: unknown };
    const id = key(String(input.UserPoolId), String(input.Username));
    if (!enabled.has(id)) return error(400, 'UserNotFoundException');
    enabled.set(id, operation === 'AdminEnableUser');
    return { status: 200, body: {}, headers: { 'content-type': 'application/x-amz-json-1.1' } };
  });
  return {
    ...standIn,
    addUser: (pool, user) => enabled.set(key(pool, user), true),
    enabledOf: (pool, user) => enabled.get(key(pool, user)) ?? null,
  };
};
