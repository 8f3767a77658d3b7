/**
 * The shipped post-login Action (`integrations/auth0/post-login.js`), loaded with Node's own CommonJS loader as
 * Auth0 loads it, run with a post-login event of Auth0's documented shape (`test/fixtures/auth0/post-login.json`)
 * and a recording `api`, against the real local server (sandbox Defastra), a closed port, a server that never
 * answers and a capturing server. Covers which logins are screened (first login, social and enterprise only,
 * never twice), every verdict, a block that holds on later logins, and both fail modes.
 */
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auth0EventSchema } from '../../functions/auth0-hook/event.js';
import { SANDBOX_IDENTITIES } from '../../shared/defastra/sandbox/index.js';
import * as z from '../../shared/validation/zod.js';
import { AUTH0_SIGNATURE_HEADER, verifyAuth0Signature } from '../../shared/webhooks/auth0.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { captureLogs, closedPortUrl, fixture, HOOK_PATH, listen, NO_VELOCITY, nowSec } from './support.js';

type OnExecute = (event: unknown, api: unknown) => Promise<void>;

const ACTION_FILE = fileURLToPath(new URL('../../integrations/auth0/post-login.js', import.meta.url));
const action = createRequire(import.meta.url)(ACTION_FILE) as { onExecutePostLogin: OnExecute };
const run: OnExecute = (event, api) => action.onExecutePostLogin(event, api);

const { email: EMAIL, phone: PHONE } = SANDBOX_IDENTITIES;
const USER_MESSAGE = 'We could not complete your sign-up. Contact support@example.com.';
const UNAVAILABLE = ['access.deny', expect.stringMatching(/try again later/i)];
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const USER_ID = 'google-oauth2|103571795941234567890';

type Event = Record<string, Record<string, unknown>> & { secrets: Record<string, string | undefined> };

/** The post-login `event` of a first Google login, with the given user fields, secrets and overrides. */
const postLoginEvent = (
  user: Record<string, unknown>,
  secrets: Record<string, string | undefined>,
  overrides: { stats?: unknown; connection?: unknown; transaction?: unknown } = {},
): Event => {
  const event = fixture<Event>('auth0/post-login.json');
  const { email: _email, ...profile } = event.user!;
  return {
    ...event,
    ...overrides,
    user: { ...profile, ...user },
    secrets: Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >,
  } as Event;
};

type Call = ['access.deny', string] | ['user.setAppMetadata', string, unknown];

/** The post-login `api`: `access.deny(reason)` takes one argument, shown to the user. */
const recordingApi = () => {
  const calls: Call[] = [];
  const api = {
    access: { deny: (reason: string) => void calls.push(['access.deny', reason]) },
    user: {
      setAppMetadata: (key: string, value: unknown) => void calls.push(['user.setAppMetadata', key, value]),
      setUserMetadata: () => undefined,
    },
    idToken: { setCustomClaim: () => undefined },
    accessToken: { setCustomClaim: () => undefined },
  };
  return { api, calls };
};

describe('the post-login Action file', () => {
  const source = readFileSync(ACTION_FILE, 'utf8');

  it('is CommonJS with only built-in dependencies and one export', () => {
    const requires = [...source.matchAll(/require\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]);
    expect(requires).toEqual(['node:crypto']);
    expect(source).not.toMatch(/^\s*(import|export)\s/m);
    expect(Object.keys(action)).toEqual(['onExecutePostLogin']);
  });

  it('the fixture is a social first login in Auth0 field names', () => {
    const event = fixture<Event>('auth0/post-login.json');
    expect(event.stats).toEqual({ logins_count: 1 });
    expect(event.connection).toMatchObject({ strategy: 'google-oauth2' });
    expect(event.user).toMatchObject({ user_id: USER_ID, app_metadata: {} });
  });
});

describe('the post-login Action against the local server', () => {
  let server: TestServer;
  let secrets: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer({
      policy: { cache_hours: 0, user_message: USER_MESSAGE, ...NO_VELOCITY },
    });
    secrets = { SIGNUP_GATE_URL: `${server.url}${HOOK_PATH}`, SIGNUP_GATE_SECRET: server.auth0HookSecret };
  });
  afterAll(() => server.close());
  afterEach(() => server.sandbox.clearFaults());

  const verdictById = async (id: string) => {
    const response = await fetch(`${server.url}/verdicts/${id}`, {
      headers: { Authorization: `Bearer ${server.apiToken}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  /** The flag of a screened, admitted login: enforcement finds the user by its verdict id. */
  const flagged = (decision: string) => [
    [
      'user.setAppMetadata',
      'signup_gate',
      { decision, action: decision, verdict_id: expect.stringMatching(ULID) },
    ],
  ];

  describe('verdicts', () => {
    it('allow: lets the login through, the user flagged with the verdict id', async () => {
      const { api, calls } = recordingApi();
      const logs = await captureLogs(() => run(postLoginEvent({ email: EMAIL.low }, secrets), api));
      expect(calls).toEqual(flagged('allow'));
      expect(logs).toEqual([expect.stringMatching(/^signup_gate: decision=allow verdict=[0-9A-Z]{26}$/)]);
    });

    it('review: flags the user in app_metadata with the verdict id; the verdict is stored', async () => {
      const { api, calls } = recordingApi();
      await captureLogs(() => run(postLoginEvent({ email: EMAIL.medium }, secrets), api));
      expect(calls).toEqual(flagged('review'));
      const id = (calls[0]![2] as { verdict_id: string }).verdict_id;
      const stored = await verdictById(id);
      expect(stored).toMatchObject({ source: 'auth0', decision: 'review', subject_ref: USER_ID });
      expect(stored.source_ref).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(JSON.stringify(stored)).not.toContain(EMAIL.medium);
    });

    it('block: records the block on the user and denies with the policy user message', async () => {
      const { api, calls } = recordingApi();
      await captureLogs(() => run(postLoginEvent({ email: EMAIL.high }, secrets), api));
      expect(calls).toEqual([
        [
          'user.setAppMetadata',
          'signup_gate',
          {
            decision: 'block',
            action: 'block',
            verdict_id: expect.stringMatching(ULID),
            user_message: USER_MESSAGE,
          },
        ],
        ['access.deny', USER_MESSAGE],
      ]);
    });

    it('block: also on a phone number (an enterprise connection that maps one)', async () => {
      const { api, calls } = recordingApi();
      const event = postLoginEvent({ phone_number: `+${PHONE.extreme}` }, secrets, {
        connection: { id: 'con_saml', name: 'acme-saml', strategy: 'samlp', metadata: {} },
      });
      await captureLogs(() => run(event, api));
      expect(calls.at(-1)).toEqual(['access.deny', USER_MESSAGE]);
    });

    it('allow: a social profile without email or phone goes through (no_identifiers)', async () => {
      const { api, calls } = recordingApi();
      await captureLogs(() => run(postLoginEvent({ nickname: 'jane' }, secrets), api));
      expect(calls).toEqual(flagged('allow'));
    });

    it('never logs the email, phone, IP, user id or secret', async () => {
      const email = 'jane.doe+medium@example.com';
      const phone = `+${PHONE.high}`;
      const { api } = recordingApi();
      const logs = await captureLogs(() => run(postLoginEvent({ email, phone_number: phone }, secrets), api));
      const text = logs.join('\n');
      for (const value of [email, phone, PHONE.high, '203.0.113.7', USER_ID, '103571795941234567890']) {
        expect(text).not.toContain(value);
      }
      expect(text).not.toContain(server.auth0HookSecret);
      expect(logs.every((line) => line.length < 256)).toBe(true);
    });
  });

  describe('which logins are screened', () => {
    /** Runs the Action against a server that records every request; returns the requests and api calls. */
    const observe = async (event: (url: string) => Event) => {
      const requests: string[] = [];
      const sink = await listen((req, res) => {
        requests.push(req.url ?? '');
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({ decision: 'block', verdict_id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0', user_message: 'x' }),
        );
      });
      try {
        const { api, calls } = recordingApi();
        const logs = await captureLogs(() => run(event(sink.url), api));
        return { requests, calls, logs };
      } finally {
        await sink.close();
      }
    };
    const target = (url: string) => ({ SIGNUP_GATE_URL: url, SIGNUP_GATE_SECRET: 'sink-secret-0123456789' });

    it.each([
      ['the first login of a social user', {}],
      ['a second login', { stats: { logins_count: 2 } }],
      ['a later login', { stats: { logins_count: 62 } }],
      ['a login without stats', { stats: undefined }],
      [
        'a database user pre-user-registration could not screen',
        { connection: { name: 'Username-Password-Authentication', strategy: 'auth0' } },
      ],
    ])('screens %s when the user has no verdict id', async (_case, overrides) => {
      const seen = await observe((url) => postLoginEvent({ email: EMAIL.low }, target(url), overrides));
      expect(seen.requests).toEqual([HOOK_PATH]);
    });

    it('skips a refresh-token exchange: no call, no api change, no log', async () => {
      const seen = await observe((url) =>
        postLoginEvent({ email: EMAIL.high }, target(url), {
          transaction: { id: 'tx_1', protocol: 'oauth2-refresh-token', locale: 'en', acr_values: [] },
        }),
      );
      expect(seen).toEqual({ requests: [], calls: [], logs: [] });
    });

    it.each([
      ['review', { decision: 'review', verdict_id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0' }],
      ['allow', { decision: 'allow', action: 'allow', verdict_id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0' }],
      [
        'block in monitor mode (action allow)',
        { decision: 'block', action: 'allow', verdict_id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0' },
      ],
    ])('skips a user whose flag holds a verdict id (%s)', async (_case, flag) => {
      const seen = await observe((url) =>
        postLoginEvent({ email: EMAIL.high, app_metadata: { signup_gate: flag } }, target(url)),
      );
      expect(seen).toEqual({ requests: [], calls: [], logs: [] });
    });

    it.each([
      ['unscreened at sign-up', { status: 'unscreened' }],
      ['allow (set by another Action)', { decision: 'allow' }],
      ['any value', true],
    ])('screens a user whose flag holds no verdict id (%s)', async (_case, flag) => {
      const seen = await observe((url) =>
        postLoginEvent({ email: EMAIL.high, app_metadata: { signup_gate: flag } }, target(url)),
      );
      expect(seen.requests).toEqual([HOOK_PATH]);
      expect(seen.calls.at(-1)).toEqual(['access.deny', 'x']);
    });

    it('denies every later login of a user blocked at sign-up, without calling signup-gate again', async () => {
      const flag = {
        decision: 'block',
        verdict_id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0',
        user_message: USER_MESSAGE,
      };
      for (const logins of [1, 2, 40]) {
        const seen = await observe((url) =>
          postLoginEvent({ email: EMAIL.low, app_metadata: { signup_gate: flag } }, target(url), {
            stats: { logins_count: logins },
          }),
        );
        expect(seen.requests).toEqual([]);
        expect(seen.calls).toEqual([['access.deny', USER_MESSAGE]]);
        expect(seen.logs).toEqual(['signup_gate: decision=block verdict=01JDX3K8Y0Q5W6Z8N2M4P6R8T0 earlier']);
      }
    });

    it('still denies a blocked user when app_metadata cannot be written', async () => {
      const sink = await listen((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            decision: 'block',
            verdict_id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0',
            user_message: 'No.',
          }),
        );
      });
      try {
        const { api, calls } = recordingApi();
        api.user.setAppMetadata = () => {
          throw new Error('metadata update refused');
        };
        const logs = await captureLogs(() =>
          run(postLoginEvent({ email: EMAIL.high }, target(sink.url)), api),
        );
        expect(calls).toEqual([['access.deny', 'No.']]);
        expect(logs).toEqual([
          'signup_gate: decision=block verdict=01JDX3K8Y0Q5W6Z8N2M4P6R8T0',
          'signup_gate: error=metadata_unavailable',
        ]);
      } finally {
        await sink.close();
      }
    });

    it('keeps only an id-shaped verdict id and a sane message from a stored block flag', async () => {
      const flag = { decision: 'block', verdict_id: 'jane@example.com', user_message: 'x'.repeat(501) };
      const seen = await observe((url) =>
        postLoginEvent({ email: EMAIL.low, app_metadata: { signup_gate: flag } }, target(url)),
      );
      expect(seen.calls).toEqual([['access.deny', 'We could not complete your sign-up.']]);
      expect(seen.logs.join('\n')).not.toContain('jane@example.com');
    });
  });

  describe.each([
    ['open', undefined],
    ['open', 'open'],
    ['closed', 'closed'],
    ['closed', ' Closed '],
  ])('fail-%s (SIGNUP_GATE_FAIL_MODE=%j)', (mode, setting) => {
    const expected = mode === 'open' ? [] : [UNAVAILABLE];
    const withMode = (extra: Record<string, string | undefined>) => ({
      ...secrets,
      SIGNUP_GATE_FAIL_MODE: setting,
      ...extra,
    });

    it('the server is down (closed port)', async () => {
      const { api, calls } = recordingApi();
      const event = postLoginEvent(
        { email: EMAIL.high },
        withMode({ SIGNUP_GATE_URL: await closedPortUrl() }),
      );
      const logs = await captureLogs(() => run(event, api));
      expect(calls).toEqual(expected);
      expect(logs).toEqual([`signup_gate: error=network fail=${mode}`]);
    });

    it('the server does not answer within SIGNUP_GATE_TIMEOUT_MS', async () => {
      const silent = await listen(() => undefined);
      try {
        const { api, calls } = recordingApi();
        const event = postLoginEvent(
          { email: EMAIL.high },
          withMode({ SIGNUP_GATE_URL: silent.url, SIGNUP_GATE_TIMEOUT_MS: '250' }),
        );
        const started = Date.now();
        const logs = await captureLogs(() => run(event, api));
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(calls).toEqual(expected);
        expect(logs).toEqual([`signup_gate: error=timeout fail=${mode}`]);
      } finally {
        await silent.close();
      }
    });

    it('Defastra (sandbox latency) makes signup-gate slower than the Action timeout', async () => {
      server.sandbox.setFaults({ latencyMs: 2_000 });
      const { api, calls } = recordingApi();
      const email = `slow-${mode}-${Math.random().toString(36).slice(2)}+high@example.com`;
      const event = postLoginEvent({ email }, withMode({ SIGNUP_GATE_TIMEOUT_MS: '300' }));
      const logs = await captureLogs(() => run(event, api));
      expect(calls).toEqual(expected);
      expect(logs).toEqual([`signup_gate: error=timeout fail=${mode}`]);
    });

    it('the secret is wrong (401)', async () => {
      const { api, calls } = recordingApi();
      const event = postLoginEvent(
        { email: EMAIL.high },
        withMode({ SIGNUP_GATE_SECRET: 'wrong-secret-0123456789' }),
      );
      const logs = await captureLogs(() => run(event, api));
      expect(calls).toEqual(expected);
      expect(logs).toEqual([`signup_gate: error=http_401 fail=${mode}`]);
    });

    it('the secrets are missing', async () => {
      const { api, calls } = recordingApi();
      const event = postLoginEvent({ email: EMAIL.high }, withMode({ SIGNUP_GATE_SECRET: undefined }));
      const logs = await captureLogs(() => run(event, api));
      expect(calls).toEqual(expected);
      expect(logs).toEqual([`signup_gate: error=not_configured fail=${mode}`]);
    });

    it.each([
      ['bad_json', 200, 'text/html', '<html>gateway</html>'],
      ['bad_response', 200, 'application/json', '{"decision":"maybe"}'],
      ['http_502', 502, 'application/json', '{"message":"Internal Server Error"}'],
    ])('the answer is unusable (%s)', async (code, status, type, answer) => {
      const odd = await listen((_req, res) => {
        res.writeHead(status, { 'Content-Type': type });
        res.end(answer);
      });
      try {
        const { api, calls } = recordingApi();
        const logs = await captureLogs(() =>
          run(postLoginEvent({ email: EMAIL.high }, withMode({ SIGNUP_GATE_URL: odd.url })), api),
        );
        expect(calls).toEqual(expected);
        expect(logs).toEqual([`signup_gate: error=${code} fail=${mode}`]);
      } finally {
        await odd.close();
      }
    });
  });
});

describe('what the post-login Action sends', () => {
  interface Captured {
    headers: http.IncomingHttpHeaders;
    body: string;
  }
  const captured: Captured[] = [];
  let sink: { url: string; close: () => Promise<void> };
  const SECRET = 'capture-secret-0123456789abcdef';

  beforeAll(async () => {
    sink = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        captured.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({ decision: 'allow', verdict_id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0', user_message: 'x' }),
        );
      });
    });
  });
  afterAll(() => sink.close());

  const send = async (user: Record<string, unknown>) => {
    const { api } = recordingApi();
    await captureLogs(() =>
      run(postLoginEvent(user, { SIGNUP_GATE_URL: sink.url, SIGNUP_GATE_SECRET: SECRET }), api),
    );
    return captured.at(-1)!;
  };

  it('posts the event subset with trigger, user_id and strategy, signed over the key and the body', async () => {
    const request = await send({ email: 'jane@example.com', phone_number: '+33600000001' });
    const body = JSON.parse(request.body);
    expect(body).toEqual({
      trigger: 'post-login',
      user: {
        email: 'jane@example.com',
        phone_number: '+33600000001',
        user_id: USER_ID,
      },
      request: {
        ip: '203.0.113.7',
        user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0',
        geoip: { countryCode: 'FR' },
      },
      connection: { name: 'google-oauth2', strategy: 'google-oauth2' },
      client: { client_id: 'gmOWNgklfRm4tyl5YYnl3JDSJy19h1bR' },
      tenant: { id: 'my-tenant' },
      transaction: { id: 'nZniEmn3ejOpcV46_ac1CxJCuO_gAuwR' },
    });
    // The route's own schema accepts exactly this.
    expect(z.safeParse(auth0EventSchema, body).success).toBe(true);
    const signature = request.headers[AUTH0_SIGNATURE_HEADER.toLowerCase()] as string;
    const key = request.headers['idempotency-key'] as string;
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      verifyAuth0Signature(signature, request.body, [SECRET], nowSec(), { idempotencyKey: key }),
    ).toEqual({
      ok: true,
    });
    expect(
      verifyAuth0Signature(signature, request.body, [SECRET], nowSec(), { idempotencyKey: 'other' }).ok,
    ).toBe(false);
  });

  it('never forwards the secrets, names, identities or metadata of the event', async () => {
    const request = await send({ email: 'jane@example.com' });
    for (const text of [SECRET, 'SIGNUP_GATE', 'Jane Doe', 'identities', 'profileData', 'correlation_id']) {
      expect(request.body).not.toContain(text);
    }
  });

  it('sends a new Idempotency-Key on every execution', async () => {
    const a = await send({ email: 'jane@example.com' });
    const b = await send({ email: 'jane@example.com' });
    expect(a.headers['idempotency-key']).not.toBe(b.headers['idempotency-key']);
  });
});
