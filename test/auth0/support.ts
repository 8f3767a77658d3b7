/** Shared pieces of the Auth0 suites: a realistic Auth0 event, a recording `api`, a recording telemetry, targets. */

import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';
import { createAuth0HookApp } from '../../functions/auth0-hook/app.js';
import type { Sandbox } from '../../shared/defastra/sandbox/index.js';
import { silentTelemetry, type Telemetry } from '../../shared/observability/telemetry.js';
import { AUTH0_SIGNATURE_HEADER, signAuth0Body } from '../../shared/webhooks/auth0.js';
import { createTestDeps } from '../helpers/deps.js';
import { startTestServer } from '../helpers/local-server.js';

export const HOOK_PATH = '/hooks/auth0';

export const nowSec = (): number => Math.floor(Date.now() / 1000);

/**
 * Waits, if needed, until at least `marginMs` remain in the current clock second, so that a timestamp
 * signed now is still judged in the same second (e.g. `t = now + 301` must not become `now + 300`).
 */
export const awaitFreshSecond = async (marginMs = 300): Promise<void> => {
  const left = 1000 - (Date.now() % 1000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 5));
};

/** A pre-user-registration `event` (v2) as Auth0 passes it to an Action, secrets included. */
export const auth0Event = (
  user: { email?: string; phone_number?: string; username?: string },
  secrets: Record<string, string | undefined>,
): Record<string, unknown> => ({
  user: {
    ...user,
    name: 'Jane Doe',
    given_name: 'Jane',
    family_name: 'Doe',
    nickname: 'jane',
    picture: 'https://s.gravatar.com/avatar/0000?s=480&r=pg&d=mp',
    user_metadata: {},
    app_metadata: {},
  },
  connection: {
    id: 'con_1A2b3C4d5E6f7G8h',
    name: 'Username-Password-Authentication',
    strategy: 'auth0',
    metadata: {},
  },
  client: { client_id: 'pL4y8aQ0yX1b2C3d4E5f6G7h8I9j0K1l', name: 'My App', metadata: {} },
  request: {
    ip: '203.0.113.7',
    method: 'POST',
    hostname: 'login.example.com',
    language: 'en',
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0',
    body: {},
    geoip: {
      cityName: 'Paris',
      continentCode: 'EU',
      countryCode: 'FR',
      countryCode3: 'FRA',
      countryName: 'France',
      latitude: 48.8566,
      longitude: 2.3522,
      subdivisionCode: 'IDF',
      subdivisionName: 'Ile-de-France',
      timeZone: 'Europe/Paris',
    },
  },
  tenant: { id: 'my-tenant' },
  transaction: {
    acr_values: [],
    locale: 'en',
    ui_locales: ['en'],
    requested_scopes: ['openid', 'profile', 'email'],
    protocol: 'oidc-basic-profile',
    redirect_uri: 'https://app.example.com/callback',
    response_type: ['code'],
    response_mode: 'query',
    state: 'aFbC3dE4',
    prompt: [],
    correlation_id: 'c0ffee00-1234-4abc-9def-000000000001',
  },
  security_context: { ja3: '', ja4: '' },
  secrets: Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== undefined)),
  configuration: {},
});

export type ApiCall =
  | ['access.deny', string, string]
  | ['user.setAppMetadata', string, unknown]
  | ['user.setUserMetadata', string, unknown]
  | ['validation.error', string, string];

/** The pre-user-registration `api` object, recording every call. */
export const recordingApi = () => {
  const calls: ApiCall[] = [];
  const cache = new Map<string, { value: string; expires_at: number }>();
  const api = {
    access: {
      deny: (reason: string, userMessage: string) => void calls.push(['access.deny', reason, userMessage]),
    },
    user: {
      setAppMetadata: (key: string, value: unknown) => void calls.push(['user.setAppMetadata', key, value]),
      setUserMetadata: (key: string, value: unknown) => void calls.push(['user.setUserMetadata', key, value]),
    },
    validation: {
      error: (code: string, message: string) => void calls.push(['validation.error', code, message]),
    },
    cache: {
      get: (key: string) => cache.get(key),
      set: (key: string, value: string) => {
        const record = { value, expires_at: Date.now() + 900_000 };
        cache.set(key, record);
        return { type: 'success', record };
      },
      delete: (key: string) => {
        cache.delete(key);
        return { type: 'success' };
      },
    },
  };
  return { api, calls };
};

/** A telemetry that keeps every log line (as JSON text) so tests can look for leaked identifiers. */
export const recordingTelemetry = (): Telemetry & { lines: string[] } => {
  const lines: string[] = [];
  const keep = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push(JSON.stringify({ level, message, ...fields }));
  return {
    ...silentTelemetry,
    debug: keep('debug'),
    info: keep('info'),
    warn: keep('warn'),
    error: keep('error'),
    lines,
  };
};

/** The `Idempotency-Key` among `headers` (any case), or null. */
const idempotencyKeyOf = (headers: Record<string, string>): string | null => {
  const name = Object.keys(headers).find((n) => n.toLowerCase() === 'idempotency-key');
  return name === undefined ? null : headers[name]!;
};

/** Headers of a correctly signed JSON request; an `Idempotency-Key` in `extra` is signed with the body. */
export const signedHeaders = (
  secret: string,
  body: string,
  extra: Record<string, string> = {},
  t: number = nowSec(),
): Record<string, string> => ({
  'Content-Type': 'application/json',
  [AUTH0_SIGNATURE_HEADER]: signAuth0Body(secret, body, t, idempotencyKeyOf(extra)),
  ...extra,
});

/** Velocity off: these suites send many identities from one IP on purpose; velocity has its own suite. */
export const NO_VELOCITY = {
  velocity: {
    ip: { review: null, block: null },
    mailbox: { review: null, block: null },
    email_domain: { review: null, block: null },
  },
} as const;

/** A JSON fixture from `test/fixtures/` (real event shapes from the providers' documentation). */
export const fixture = <T = Record<string, unknown>>(path: string): T =>
  JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as T;

export interface TargetOptions {
  /** Policy document (default: cache off, so every screening reaches the sandbox). */
  policy?: Record<string, unknown>;
  /** Active hook secrets (default one generated/fixed value). */
  secrets?: string[];
}

/** Something that answers `/hooks/auth0`: the Hono app in process, or the real local server over HTTP. */
export interface Target {
  request(init: RequestInit, path?: string): Promise<Response>;
  /** POST `body` with the given headers. */
  post(body: string, headers: Record<string, string>): Promise<Response>;
  secrets: string[];
  sandbox: Sandbox;
  telemetry: Telemetry & { lines: string[] };
  close(): Promise<void>;
}

export const DEFAULT_TEST_POLICY = { cache_hours: 0, ...NO_VELOCITY };

/** The Hono app over real deps (dynalite store, sandbox over HTTP), called with `app.request`. */
export const appTarget = async (options: TargetOptions = {}): Promise<Target> => {
  const telemetry = recordingTelemetry();
  const secrets = options.secrets ?? ['app-target-secret-0123456789'];
  const t = await createTestDeps({
    policy: options.policy ?? DEFAULT_TEST_POLICY,
    overrides: { auth0HookSecrets: async () => secrets, telemetry },
  });
  const app = createAuth0HookApp(t.provider, telemetry);
  const request = async (init: RequestInit, path = HOOK_PATH) => app.request(path, init);
  return {
    request,
    post: (body, headers) => request({ method: 'POST', body, headers }),
    secrets,
    sandbox: t.sandbox,
    telemetry,
    close: t.close,
  };
};

/** The real local server (`startLocalServer`), secrets from AUTH0_HOOK_SECRET (comma list) or generated. */
export const serverTarget = async (options: TargetOptions = {}): Promise<Target> => {
  const telemetry = recordingTelemetry();
  const server = await startTestServer({
    policy: options.policy ?? DEFAULT_TEST_POLICY,
    env: options.secrets ? { AUTH0_HOOK_SECRET: options.secrets.join(',') } : {},
    telemetry,
  });
  const request = (init: RequestInit, path = HOOK_PATH) => fetch(`${server.url}${path}`, init);
  return {
    request,
    post: (body, headers) => request({ method: 'POST', body, headers }),
    secrets: server.auth0HookSecrets,
    sandbox: server.sandbox,
    telemetry,
    close: server.close,
  };
};

/** Console lines an Action wrote during `fn` (Auth0 keeps an Action's `console.log` output). */
export const captureLogs = async (fn: () => Promise<void>): Promise<string[]> => {
  const spy = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    await fn();
    return spy.mock.calls.map((args) => args.map(String).join(' '));
  } finally {
    spy.mockRestore();
  }
};

/** A plain HTTP server on a random port, for the Actions' failure modes; its URL ends in the hook path. */
export const listen = async (
  handler: http.RequestListener,
): Promise<{ url: string; close: () => Promise<void> }> => {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${HOOK_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

/** A URL on which nothing listens: a port the OS just handed out and that is closed again. */
export const closedPortUrl = async (): Promise<string> => {
  const probe = await listen(() => undefined);
  await probe.close();
  return probe.url;
};
