/** The sandbox itself: identities, protocol check order, wallet, faults, stats, logs, env parsing. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RiskLevel } from '../../shared/core/levels.js';
import type { DefastraClient } from '../../shared/defastra/client.js';
import { faultsFromEnv, listenFromEnv } from '../../shared/defastra/sandbox/env.js';
import { DISPOSABLE_SCORE, SANDBOX_SCORES } from '../../shared/defastra/sandbox/fixtures.js';
import { DISPOSABLE_DOMAINS, SANDBOX_IDENTITIES as ID } from '../../shared/defastra/sandbox/identities.js';
import { chooseEncoding, type Sandbox, startSandbox } from '../../shared/defastra/sandbox/server.js';
import { fastClient, rawRequest, sandboxPost } from './helpers.js';

const LEVELS: RiskLevel[] = ['low', 'medium', 'high', 'extreme'];
const RANGES: Record<RiskLevel, [number, number]> = {
  low: [0, 0],
  medium: [1, 20],
  high: [21, 40],
  extreme: [41, 100],
};

let sandbox: Sandbox;
let client: DefastraClient;
const logLines: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ log: (line) => logLines.push(line) });
  client = fastClient(sandbox);
});

afterEach(() => {
  sandbox.clearFaults();
  sandbox.resetStats();
});

afterAll(async () => {
  client.close();
  await sandbox.close();
});

describe('deterministic identities (the docs/sandbox.md table)', () => {
  it.each(LEVELS)('email %s gives its level and a score in range', async (level) => {
    const result = await client.checkEmail(ID.email[level]);
    expect(result.riskLevel).toBe(level);
    expect(result.riskScore).toBe(SANDBOX_SCORES[level]);
    const [min, max] = RANGES[level];
    expect(result.riskScore).toBeGreaterThanOrEqual(min);
    expect(result.riskScore).toBeLessThanOrEqual(max);
    expect(result.requestId).toMatch(/^[0-9A-F]{32}$/);
  });

  it.each(LEVELS)('phone %s gives its level', async (level) => {
    const result = await client.checkPhone(ID.phone[level]);
    expect(result.riskLevel).toBe(level);
    expect(result.riskScore).toBe(SANDBOX_SCORES[level]);
    expect(Object.keys(result.data).sort()).toEqual([
      'phone_data_breaches',
      'phone_hlr',
      'phone_online_presence',
      'phone_os',
    ]);
  });

  it('a plus tag chooses the level; other addresses and numbers are low', async () => {
    await expect(client.checkEmail(ID.email.plusHigh)).resolves.toMatchObject({ riskLevel: 'high' });
    await expect(client.checkEmail('HIGH@Example.COM')).resolves.toMatchObject({ riskLevel: 'high' });
    await expect(client.checkEmail(ID.email.other)).resolves.toMatchObject({
      riskLevel: 'low',
      riskScore: 0,
    });
    await expect(client.checkPhone(ID.phone.other)).resolves.toMatchObject({ riskLevel: 'low' });
  });

  it.each(DISPOSABLE_DOMAINS)('a %s address is high with EMAIL_DISPOSABLE risk', async (domain) => {
    const result = await client.checkEmail(`someone@${domain}`);
    expect(result).toMatchObject({ riskLevel: 'high', riskScore: DISPOSABLE_SCORE });
    expect(result.checks).toContainEqual(
      expect.objectContaining({ code: 'EMAIL_DISPOSABLE', result_type: 'risk' }),
    );
    expect(result.data).toHaveProperty('email_domain.domain', domain);
  });

  it('email answers carry the seed data blocks, without the address itself', async () => {
    const result = await client.checkEmail(ID.email.low);
    expect(Object.keys(result.data).sort()).toEqual([
      'email_data_breaches',
      'email_domain',
      'email_online_presence',
    ]);
    expect(JSON.stringify(result)).not.toContain(ID.email.low);
  });
});

describe('protocol', () => {
  const form = { email: ID.email.low };

  it('success: HTTP 200, 32 upper-hex request id, wallet debited by the price', async () => {
    const before = sandbox.stats().wallet;
    const { status, json } = await sandboxPost(sandbox, '/deep_email_check', form);
    expect(status).toBe(200);
    expect(json).toMatchObject({ status: true, wallet: before - 0.05 });
    expect(json.request_id).toMatch(/^[0-9A-F]{32}$/);
    expect(json).toHaveProperty('deep_email_check.checks.EMAIL_DISPOSABLE.result_type', 'trust');
    expect(sandbox.stats().wallet).toBeCloseTo(before - 0.05, 6);
  });

  it.each([
    ['a GET', { method: 'GET', path: '/deep_email_check' }, 'INVALID_REQUEST_TYPE'],
    [
      'an unknown path (even without a key)',
      { path: '/deep_name_check', noKey: true },
      'INVALID_REQUEST_TYPE',
    ],
    ['no key (even with bad params)', { path: '/deep_email_check', noKey: true, body: 'x=1' }, 'NO_KEY'],
    ['an unknown key', { path: '/deep_email_check', key: 'nope' }, 'INVALID_API_KEY'],
    ['a deactivated key', { path: '/deep_email_check', key: ID.keys.inactiveKey }, 'INACTIVE_API_KEY'],
    ['API access off', { path: '/deep_email_check', key: ID.keys.inactiveAccess }, 'INACTIVE_API_ACCESS'],
    [
      'a suspended team member',
      { path: '/deep_email_check', key: ID.keys.inactiveTeamUser },
      'INACTIVE_TEAM_USER',
    ],
    [
      'an unknown parameter',
      { path: '/deep_email_check', body: 'email=a%40b.co&color=red' },
      'INVALID_PARAMETER',
    ],
    ['a missing parameter', { path: '/deep_email_check', body: 'label=x' }, 'INVALID_PARAMETER'],
    [
      'a phone field on the email endpoint',
      { path: '/deep_email_check', body: 'phone=33600000001' },
      'INVALID_PARAMETER',
    ],
    ['a JSON body', { path: '/deep_email_check', json: true }, 'INVALID_PARAMETER'],
    [
      'a bad timeout (before the label)',
      { path: '/deep_email_check', body: `email=a%40b.co&timeout=fast&label=${'l'.repeat(31)}` },
      'INVALID_REQUEST_TIMEOUT',
    ],
    [
      'a 31-char label (before the email)',
      { path: '/deep_email_check', body: `email=bad&label=${'l'.repeat(31)}` },
      'INVALID_LABEL',
    ],
    ['a malformed email', { path: '/deep_email_check', body: 'email=not-an-email' }, 'INVALID_REQUEST_EMAIL'],
    [
      'a phone with a +',
      { path: '/deep_phone_check', body: 'phone=%2B33600000001' },
      'INVALID_REQUEST_PHONE',
    ],
    ['a too short phone', { path: '/deep_phone_check', body: 'phone=1234' }, 'INVALID_REQUEST_PHONE'],
  ] as const)('%s → HTTP 400 %s', async (_name, request, errorType) => {
    const spec = request as {
      method?: string;
      path: string;
      key?: string;
      noKey?: boolean;
      body?: string;
      json?: boolean;
    };
    const headers: Record<string, string> = {
      'Content-Type': spec.json ? 'application/json' : 'application/x-www-form-urlencoded',
    };
    if (!spec.noKey) headers['X-API-KEY'] = spec.key ?? sandbox.apiKey;
    const answer = await rawRequest(sandbox.url, {
      method: spec.method ?? 'POST',
      path: spec.path,
      headers,
      // A GET carries no body (node would send it without a length).
      body:
        spec.method === 'GET'
          ? undefined
          : spec.json
            ? JSON.stringify({ email: 'a@b.co' })
            : (spec.body ?? 'email=a%40b.co'),
    });
    expect(answer.status).toBe(400);
    const json = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({ status: false, error_type: errorType });
    expect(json.error_message).toBeTypeOf('string');
  });

  it('rate windows come before parameter checks and count per key', async () => {
    sandbox.setFaults({ rateLimit: { per5s: 2 } });
    await sandboxPost(sandbox, '/deep_email_check', form);
    await sandboxPost(sandbox, '/deep_email_check', form);
    const limited = await sandboxPost(sandbox, '/deep_email_check', { bogus: '1' });
    expect(limited.json).toMatchObject({ error_type: 'RATE_LIMITED_5_SECONDS' });
    const otherKey = await sandboxPost(sandbox, '/deep_email_check', form, {
      'X-API-KEY': ID.keys.teamMember,
    });
    expect(otherKey.json.status).toBe(true);
  });

  it('a team member key works but gets no wallet', async () => {
    const { json } = await sandboxPost(
      sandbox,
      '/deep_phone_check',
      { phone: ID.phone.low },
      {
        'X-API-KEY': ID.keys.teamMember,
      },
    );
    expect(json.status).toBe(true);
    expect(json).not.toHaveProperty('wallet');
    await expect(
      fastClient(sandbox, { apiKey: async () => ID.keys.teamMember }).checkEmail(ID.email.low),
    ).resolves.not.toHaveProperty('wallet');
  });

  it('INSUFFICIENT_FUNDS when the wallet is below the price; errors never debit', async () => {
    sandbox.setFaults({ walletBalance: 0.1, pricePerCall: 0.06 });
    expect((await sandboxPost(sandbox, '/deep_email_check', form)).json).toMatchObject({
      status: true,
      wallet: 0.04,
    });
    expect((await sandboxPost(sandbox, '/deep_email_check', form)).json).toMatchObject({
      error_type: 'INSUFFICIENT_FUNDS',
    });
    await sandboxPost(sandbox, '/deep_email_check', { email: ID.email.errors.SYSTEM_ERROR });
    expect(sandbox.stats().wallet).toBe(0.04);
  });

  it('the forced error fault applies to the next N calls, then switches off', async () => {
    sandbox.setFaults({ errorType: 'UNHANDLED_EXCEPTION', errorCount: 2 });
    const types = [];
    for (let i = 0; i < 3; i += 1) {
      types.push((await sandboxPost(sandbox, '/deep_email_check', form)).json.error_type ?? 'ok');
    }
    expect(types).toEqual(['UNHANDLED_EXCEPTION', 'UNHANDLED_EXCEPTION', 'ok']);
    expect(sandbox.faults().errorType).toBeUndefined();
  });

  it('a 5xx fault answers HTML', async () => {
    sandbox.setFaults({ http5xx: 503, http5xxCount: 1 });
    const answer = await rawRequest(sandbox.url, { path: '/deep_email_check', body: '' });
    expect(answer.status).toBe(503);
    expect(answer.headers['content-type']).toBe('text/html');
    expect(answer.body.toString('utf8')).toContain('<html>');
  });

  it('stats count requests per endpoint and connections; resetStats zeroes them', async () => {
    await sandboxPost(sandbox, '/deep_email_check', form);
    await sandboxPost(sandbox, '/deep_phone_check', { phone: ID.phone.low });
    await rawRequest(sandbox.url, { method: 'GET', path: '/' });
    expect(sandbox.stats()).toMatchObject({
      requests: 3,
      connections: 3,
      byEndpoint: { email: 1, phone: 1 },
    });
    sandbox.resetStats();
    expect(sandbox.stats()).toMatchObject({
      requests: 0,
      connections: 0,
      byEndpoint: { email: 0, phone: 0 },
    });
  });

  it('log lines never contain the email or the phone', async () => {
    logLines.length = 0;
    await client.checkEmail(ID.email.extreme);
    await client.checkPhone(ID.phone.extreme);
    expect(logLines).toHaveLength(2);
    expect(logLines[0]).toMatch(/^POST \/deep_email_check 200 ok \d+ms$/);
    for (const line of logLines) {
      expect(line).not.toContain('extreme@');
      expect(line).not.toContain(ID.phone.extreme);
    }
  });

  it('accepts a configured list of keys', async () => {
    const other = await startSandbox({ apiKeys: ['k1', 'k2'] });
    try {
      expect(other.apiKey).toBe('k1');
      const k2 = fastClient(other, { apiKey: async () => 'k2' });
      await expect(k2.checkEmail(ID.email.low)).resolves.toMatchObject({ riskLevel: 'low' });
      k2.close();
      const defaultKey = fastClient(other, { apiKey: async () => 'sandbox-key' });
      await expect(defaultKey.checkEmail(ID.email.low)).rejects.toMatchObject({ type: 'INVALID_API_KEY' });
      defaultKey.close();
    } finally {
      await other.close();
    }
  });
});

describe('chooseEncoding', () => {
  it.each([
    ['gzip, deflate, br', undefined, 'br'],
    ['gzip, deflate', undefined, 'gzip'],
    ['deflate', undefined, 'deflate'],
    ['br;q=0, gzip', undefined, 'gzip'],
    [undefined, undefined, 'identity'],
    ['gzip, deflate, br', 'deflate', 'deflate'],
    ['gzip', 'br', 'identity'],
  ] as const)('%s (forced %s) → %s', (header, forced, expected) => {
    expect(chooseEncoding(header, forced)).toBe(expected);
  });
});

describe('faultsFromEnv', () => {
  it('reads every variable', () => {
    expect(
      faultsFromEnv({
        SANDBOX_LATENCY_MS: '250',
        SANDBOX_LATENCY_JITTER_MS: '50',
        SANDBOX_ERROR_TYPE: 'system_error',
        SANDBOX_ERROR_COUNT: '2',
        SANDBOX_HTTP_5XX: '502',
        SANDBOX_HTTP_5XX_COUNT: '1',
        SANDBOX_RESET_MID_RESPONSE: 'true',
        SANDBOX_RESET_COUNT: '3',
        SANDBOX_RATE_5S: '10',
        SANDBOX_RATE_1M: '60',
        SANDBOX_WALLET: '12.5',
        SANDBOX_PRICE_PER_CALL: '0.1',
      }),
    ).toEqual({
      latencyMs: 250,
      latencyJitterMs: 50,
      errorType: 'SYSTEM_ERROR',
      errorCount: 2,
      http5xx: 502,
      http5xxCount: 1,
      resetMidResponse: true,
      resetCount: 3,
      rateLimit: { per5s: 10, perMinute: 60 },
      walletBalance: 12.5,
      pricePerCall: 0.1,
    });
  });

  it('ignores unset and empty variables', () => {
    expect(faultsFromEnv({ SANDBOX_LATENCY_MS: '', OTHER: 'x' })).toEqual({});
    expect(faultsFromEnv({ SANDBOX_RATE_1M: '5' })).toEqual({ rateLimit: { perMinute: 5 } });
  });

  it.each([
    ['SANDBOX_LATENCY_MS', 'soon'],
    ['SANDBOX_LATENCY_MS', '-5'],
    ['SANDBOX_ERROR_TYPE', 'OOPS'],
    ['SANDBOX_HTTP_5XX', '404'],
    ['SANDBOX_RATE_5S', '0'],
    ['SANDBOX_RATE_1M', '1.5'],
    ['SANDBOX_WALLET', 'ten'],
    ['SANDBOX_RESET_MID_RESPONSE', 'maybe'],
  ])('%s=%s → an error naming the variable', (name, value) => {
    expect(() => faultsFromEnv({ [name]: value })).toThrow(name);
  });

  it('listenFromEnv defaults to 127.0.0.1:4010 and reads keys', () => {
    expect(listenFromEnv({})).toEqual({ host: '127.0.0.1', port: 4010 });
    expect(listenFromEnv({ SANDBOX_PORT: '0', SANDBOX_API_KEY: 'a, b' })).toMatchObject({
      port: 0,
      apiKeys: ['a', 'b'],
    });
    expect(() => listenFromEnv({ SANDBOX_PORT: '70000' })).toThrow('SANDBOX_PORT');
  });

  it('faults from env drive a started sandbox', async () => {
    const other = await startSandbox({
      faults: faultsFromEnv({ SANDBOX_ERROR_TYPE: 'INACTIVE_API_ACCESS' }),
    });
    const own = fastClient(other);
    try {
      await expect(own.checkEmail(ID.email.low)).rejects.toMatchObject({ type: 'INACTIVE_API_ACCESS' });
      other.clearFaults();
      // clearFaults goes back to the start-up faults, which include the forced error.
      await expect(own.checkEmail(ID.email.low)).rejects.toMatchObject({ type: 'INACTIVE_API_ACCESS' });
    } finally {
      own.close();
      await other.close();
    }
  });
});
