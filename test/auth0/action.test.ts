/**
 * The shipped Action (`integrations/auth0/pre-user-registration.js`), loaded with Node's own CommonJS loader
 * as Auth0 loads it, run with a realistic pre-user-registration event and a recording `api` against the real
 * local server (sandbox Defastra), a closed port, a server that never answers and a capturing server.
 */
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_IDENTITIES } from '../../shared/defastra/sandbox/index.js';
import { AUTH0_SIGNATURE_HEADER, verifyAuth0Signature } from '../../shared/webhooks/auth0.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import {
  auth0Event,
  captureLogs,
  closedPortUrl,
  HOOK_PATH,
  listen,
  NO_VELOCITY,
  nowSec,
  recordingApi,
} from './support.js';

type OnExecute = (event: unknown, api: unknown) => Promise<void>;

const ACTION_FILE = fileURLToPath(
  new URL('../../integrations/auth0/pre-user-registration.js', import.meta.url),
);
const action = createRequire(import.meta.url)(ACTION_FILE) as { onExecutePreUserRegistration: OnExecute };
const run: OnExecute = (event, api) => action.onExecutePreUserRegistration(event, api);

const { email: EMAIL, phone: PHONE } = SANDBOX_IDENTITIES;
const USER_MESSAGE = 'We could not complete your sign-up. Contact support@example.com.';
const UNAVAILABLE = ['access.deny', 'signup_gate_unavailable', expect.stringMatching(/try again later/i)];
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('the Action file', () => {
  const source = readFileSync(ACTION_FILE, 'utf8');

  it('is CommonJS with only built-in dependencies', () => {
    const requires = [...source.matchAll(/require\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]);
    expect(requires).toEqual(['node:crypto']);
    expect(source).not.toMatch(/^\s*(import|export)\s/m);
    expect(typeof action.onExecutePreUserRegistration).toBe('function');
    expect(Object.keys(action)).toEqual(['onExecutePreUserRegistration']);
  });

  it('sits beside a package.json that makes Node read it as CommonJS', () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../integrations/auth0/package.json', import.meta.url), 'utf8'),
    );
    expect(pkg.type).toBe('commonjs');
  });
});

describe('the Action against the local server', () => {
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

  /** The flag every screened, admitted signup carries: enforcement finds the user by its verdict id. */
  const flagged = (decision: string, action = decision) => [
    ['user.setAppMetadata', 'signup_gate', { decision, action, verdict_id: expect.stringMatching(ULID) }],
  ];

  it('allow: lets the signup through, flagged with the verdict id', async () => {
    const { api, calls } = recordingApi();
    const logs = await captureLogs(() =>
      run(auth0Event({ email: EMAIL.low, username: 'jane' }, secrets), api),
    );
    expect(calls).toEqual(flagged('allow'));
    expect(logs).toEqual([expect.stringMatching(/^signup_gate: decision=allow verdict=[0-9A-Z]{26}$/)]);
  });

  it('review: flags the user in app_metadata with the verdict id', async () => {
    const { api, calls } = recordingApi();
    await captureLogs(() => run(auth0Event({ email: EMAIL.medium }, secrets), api));
    expect(calls).toEqual(flagged('review'));
    const id = (calls[0]![2] as { verdict_id: string }).verdict_id;
    const stored = await verdictById(id);
    expect(stored).toMatchObject({ source: 'auth0', decision: 'review' });
    expect(stored.source_ref).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('block: denies with the policy user message', async () => {
    const { api, calls } = recordingApi();
    await captureLogs(() => run(auth0Event({ email: EMAIL.high }, secrets), api));
    expect(calls).toEqual([['access.deny', 'signup_gate_block', USER_MESSAGE]]);
  });

  it('block: also for a phone-only (passwordless SMS) signup', async () => {
    const { api, calls } = recordingApi();
    await captureLogs(() => run(auth0Event({ phone_number: `+${PHONE.extreme}` }, secrets), api));
    expect(calls).toEqual([['access.deny', 'signup_gate_block', USER_MESSAGE]]);
  });

  it('allow: an event with no email nor phone goes through (no_identifiers)', async () => {
    const { api, calls } = recordingApi();
    await captureLogs(() => run(auth0Event({ username: 'jane' }, secrets), api));
    expect(calls).toEqual(flagged('allow'));
  });

  it('never logs the email, phone, IP or secret', async () => {
    const email = 'jane.doe+medium@example.com';
    const phone = `+${PHONE.high}`;
    const { api } = recordingApi();
    const logs = await captureLogs(() => run(auth0Event({ email, phone_number: phone }, secrets), api));
    const text = logs.join('\n');
    for (const value of [email, phone, PHONE.high, '203.0.113.7', server.auth0HookSecret]) {
      expect(text).not.toContain(value);
    }
    expect(logs.every((line) => line.length < 256)).toBe(true);
  });

  it('degraded allow (Defastra failing) lets the signup through', async () => {
    server.sandbox.setFaults({ errorType: 'SYSTEM_ERROR' });
    const { api, calls } = recordingApi();
    const logs = await captureLogs(() => run(auth0Event({ email: EMAIL.low }, secrets), api));
    expect(calls).toEqual(flagged('allow'));
    expect(logs[0]).toMatch(/decision=allow verdict=\w+ degraded$/);
  });

  describe.each([
    ['open', undefined],
    ['open', 'open'],
    ['closed', 'closed'],
    ['closed', ' Closed '],
  ])('fail-%s (SIGNUP_GATE_FAIL_MODE=%j)', (mode, setting) => {
    // Fail-open marks the user unscreened: the post-login Action screens it at its next login.
    const expected =
      mode === 'open' ? [['user.setAppMetadata', 'signup_gate', { status: 'unscreened' }]] : [UNAVAILABLE];
    const withMode = (extra: Record<string, string | undefined>) => ({
      ...secrets,
      SIGNUP_GATE_FAIL_MODE: setting,
      ...extra,
    });

    it('the server is down (closed port)', async () => {
      const { api, calls } = recordingApi();
      const event = auth0Event({ email: EMAIL.high }, withMode({ SIGNUP_GATE_URL: await closedPortUrl() }));
      const logs = await captureLogs(() => run(event, api));
      expect(calls).toEqual(expected);
      expect(logs).toEqual([`signup_gate: error=network fail=${mode}`]);
    });

    it('the server does not answer within SIGNUP_GATE_TIMEOUT_MS', async () => {
      const silent = await listen(() => undefined);
      try {
        const { api, calls } = recordingApi();
        const event = auth0Event(
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
      // A fresh address each time: an earlier variant's slow call, once done, would be a fast cache hit.
      const email = `slow-${mode}-${Math.random().toString(36).slice(2)}+high@example.com`;
      const event = auth0Event({ email }, withMode({ SIGNUP_GATE_TIMEOUT_MS: '300' }));
      const logs = await captureLogs(() => run(event, api));
      expect(calls).toEqual(expected);
      expect(logs).toEqual([`signup_gate: error=timeout fail=${mode}`]);
    });

    it('the secret is wrong (401)', async () => {
      const { api, calls } = recordingApi();
      const event = auth0Event(
        { email: EMAIL.high },
        withMode({ SIGNUP_GATE_SECRET: 'wrong-secret-0123456789' }),
      );
      const logs = await captureLogs(() => run(event, api));
      expect(calls).toEqual(expected);
      expect(logs).toEqual([`signup_gate: error=http_401 fail=${mode}`]);
    });

    it('the secrets are missing', async () => {
      const { api, calls } = recordingApi();
      const event = auth0Event({ email: EMAIL.high }, withMode({ SIGNUP_GATE_URL: undefined }));
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
          run(auth0Event({ email: EMAIL.high }, withMode({ SIGNUP_GATE_URL: odd.url })), api),
        );
        expect(calls).toEqual(expected);
        expect(logs).toEqual([`signup_gate: error=${code} fail=${mode}`]);
      } finally {
        await odd.close();
      }
    });
  });
});

describe('what the Action sends', () => {
  interface Captured {
    method: string;
    url: string;
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
        captured.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({ decision: 'allow', verdict_id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0', user_message: 'x' }),
        );
      });
    });
  });
  afterAll(() => sink.close());

  const send = async (user: Record<string, string>) => {
    const { api } = recordingApi();
    await captureLogs(() =>
      run(auth0Event(user, { SIGNUP_GATE_URL: sink.url, SIGNUP_GATE_SECRET: SECRET }), api),
    );
    return captured.at(-1)!;
  };

  it('posts the event subset in Auth0 field names, signed over the exact body, with a fresh UUID key', async () => {
    const request = await send({ email: 'jane@example.com', phone_number: '+33600000001', username: 'jane' });
    expect(request.method).toBe('POST');
    expect(request.url).toBe(HOOK_PATH);
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({
      user: { email: 'jane@example.com', phone_number: '+33600000001', username: 'jane' },
      request: {
        ip: '203.0.113.7',
        user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0',
        geoip: { countryCode: 'FR' },
      },
      connection: { name: 'Username-Password-Authentication' },
      client: { client_id: 'pL4y8aQ0yX1b2C3d4E5f6G7h8I9j0K1l' },
      tenant: { id: 'my-tenant' },
    });
    const signature = request.headers[AUTH0_SIGNATURE_HEADER.toLowerCase()] as string;
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const key = request.headers['idempotency-key'] as string;
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    // The key is signed with the body (docs/auth0.md): the same signature under another key is refused.
    expect(
      verifyAuth0Signature(signature, request.body, [SECRET], nowSec(), { idempotencyKey: key }),
    ).toEqual({
      ok: true,
    });
    expect(verifyAuth0Signature(signature, request.body, [SECRET], nowSec())).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('never forwards the Action secrets or other event fields', async () => {
    const request = await send({ email: 'jane@example.com' });
    expect(request.body).not.toContain(SECRET);
    expect(request.body).not.toContain('SIGNUP_GATE');
    expect(request.body).not.toContain('correlation_id');
    expect(request.body).not.toContain('Jane Doe');
  });

  it('sends a new Idempotency-Key on every execution', async () => {
    const a = await send({ email: 'jane@example.com' });
    const b = await send({ email: 'jane@example.com' });
    expect(a.headers['idempotency-key']).not.toBe(b.headers['idempotency-key']);
  });

  it('does not follow a redirect (the signed body goes only to SIGNUP_GATE_URL)', async () => {
    const redirect = await listen((_req, res) => {
      res.writeHead(307, { Location: sink.url });
      res.end();
    });
    try {
      const before = captured.length;
      const { api, calls } = recordingApi();
      const event = auth0Event(
        { email: 'jane@example.com' },
        { SIGNUP_GATE_URL: redirect.url, SIGNUP_GATE_SECRET: SECRET },
      );
      const logs = await captureLogs(() => run(event, api));
      expect(captured.length).toBe(before);
      expect(calls).toEqual([['user.setAppMetadata', 'signup_gate', { status: 'unscreened' }]]);
      expect(logs).toEqual(['signup_gate: error=http_307 fail=open']);
    } finally {
      await redirect.close();
    }
  });

  it('puts only an id-shaped verdict_id in app_metadata and logs', async () => {
    const odd = await listen((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ decision: 'review', verdict_id: 'jane@example.com', user_message: 'x' }));
    });
    try {
      const { api, calls } = recordingApi();
      const event = auth0Event(
        { email: 'jane@example.com' },
        { SIGNUP_GATE_URL: odd.url, SIGNUP_GATE_SECRET: SECRET },
      );
      const logs = await captureLogs(() => run(event, api));
      expect(calls).toEqual([
        ['user.setAppMetadata', 'signup_gate', { decision: 'review', action: 'review', verdict_id: null }],
      ]);
      expect(logs.join('\n')).not.toContain('jane@example.com');
    } finally {
      await odd.close();
    }
  });

  it.each([
    ['monitor mode: action allow, decision block', { decision: 'block', action: 'allow' }, 'allow'],
    ['an action block overrides a decision review', { decision: 'review', action: 'block' }, 'block'],
    ['an unknown action falls back to the decision', { decision: 'review', action: 'maybe' }, 'review'],
  ])("follows the answer's action (%s)", async (_case, answer, followed) => {
    const odd = await listen((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ...answer, verdict_id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0', user_message: 'No.' }));
    });
    try {
      const { api, calls } = recordingApi();
      const event = auth0Event(
        { email: 'jane@example.com' },
        { SIGNUP_GATE_URL: odd.url, SIGNUP_GATE_SECRET: SECRET },
      );
      await captureLogs(() => run(event, api));
      expect(calls).toEqual(
        followed === 'block'
          ? [['access.deny', 'signup_gate_block', 'No.']]
          : [
              [
                'user.setAppMetadata',
                'signup_gate',
                { decision: answer.decision, action: followed, verdict_id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0' },
              ],
            ],
      );
    } finally {
      await odd.close();
    }
  });

  it('goes on when app_metadata cannot be set (passwordless users)', async () => {
    const odd = await listen((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({ decision: 'review', verdict_id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0', user_message: 'x' }),
      );
    });
    try {
      const { api } = recordingApi();
      api.user.setAppMetadata = () => {
        throw new Error('metadata is not supported for passwordless users');
      };
      const event = auth0Event(
        { phone_number: '+33600000002' },
        { SIGNUP_GATE_URL: odd.url, SIGNUP_GATE_SECRET: SECRET },
      );
      const logs = await captureLogs(() => run(event, api));
      expect(logs).toEqual([
        'signup_gate: decision=review verdict=01JDX3K8Y0Q5W6Z8N2M4P6R8T0',
        'signup_gate: error=metadata_unavailable',
      ]);
    } finally {
      await odd.close();
    }
  });

  it('leaves out absent and empty identifiers', async () => {
    const request = await send({ email: '', username: 'jane' });
    expect(JSON.parse(request.body).user).toEqual({ username: 'jane' });
  });
});
