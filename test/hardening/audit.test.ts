/**
 * The defects of the audit (issue 17), each with a test that failed before its fix, against the real local server
 * (dynalite, the Defastra sandbox): invalid emails counted under their IP (M1), emails masked inside references (M2),
 * the list precedence (M3), URL-encoded emails and Defastra's error_type redacted (L1), a client IP that is not one
 * address (L2), and the parent-domain walk of a crafted domain (L4).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../shared/core/verdict.js';
import type { DefastraErrorType } from '../../shared/defastra/errors.js';
import { type LogFields, silentTelemetry, type Telemetry } from '../../shared/observability/telemetry.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { createHasher } from '../../shared/screening/hashing.js';
import { screen } from '../../shared/screening/screen.js';
import { createMemoryStore } from '../../shared/store/memory.js';
import type { PreludeRequest } from '../../shared/store/ports.js';
import { signAuth0Body } from '../../shared/webhooks/auth0.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { type Operator, operator } from '../helpers/operator.js';

const logs: Array<{ message: string; fields: LogFields | undefined }> = [];
const recording: Telemetry = {
  ...silentTelemetry,
  warn: (message, fields) => logs.push({ message, fields }),
};

let server: TestServer;
let api: Operator;
beforeAll(async () => {
  server = await startTestServer({ telemetry: recording });
  api = operator(server.url, server.apiToken);
});
afterAll(() => server.close());

const tag = () => `${process.pid}${Date.now().toString(36)}${randomUUID().slice(0, 6)}`;
const codes = (verdict: Verdict) => verdict.reasons.map((r) => r.code);

/** Signs and sends one Auth0 event as the shipped Actions do. */
const auth0 = async (event: unknown): Promise<{ status: number; body: Verdict }> => {
  const body = JSON.stringify(event);
  const key = randomUUID();
  const res = await fetch(`${server.url}/hooks/auth0`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'Idempotency-Key': key,
      'X-Signup-Gate-Signature': signAuth0Body(
        server.auth0HookSecret,
        body,
        Math.floor(Date.now() / 1000),
        key,
      ),
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as Verdict };
};

describe('M1: an invalid email still counts under its IP', () => {
  it('35 malformed addresses from one IP: velocity reviews from the 10th and blocks from the 30th', async () => {
    const run = tag();
    const verdicts: Verdict[] = [];
    for (let i = 1; i <= 35; i++) {
      // A 65-character local part: not a valid address, so no Defastra call and no mailbox or domain key.
      const local = `${run}x${i}`.padEnd(65, 'z');
      verdicts.push(await api.screen({ email: `${local}@example.org`, ip: '198.51.100.35' }));
    }
    verdicts.forEach((verdict, index) => {
      const nth = index + 1;
      expect(verdict.email, `signup ${nth}`).toEqual({ masked: 'invalid email', invalid: true });
      if (nth < 10) expect(codes(verdict), `signup ${nth}`).toEqual(['invalid_email']);
      else if (nth < 30) {
        expect(verdict.decision, `signup ${nth}`).toBe('review');
        expect(codes(verdict), `signup ${nth}`).toContain('velocity');
      } else {
        expect(verdict.decision, `signup ${nth}`).toBe('block');
        expect(codes(verdict), `signup ${nth}`).toEqual(['velocity']);
      }
    });
  });
});

describe('M2: an email inside an id or reference is masked', () => {
  it('an Auth0 SAML user id becomes samlp|corp|j***@corp.example, stored and answered', async () => {
    const answer = await auth0({
      trigger: 'post-login',
      user: { email: `saml.${tag()}@corp.example`, user_id: 'samlp|corp|jane@corp.example' },
      request: { ip: '203.0.113.90' },
      connection: { name: 'corp', strategy: 'samlp' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.subject_ref).toBe('samlp|corp|j***@corp.example');
    const stored = await api.request<Verdict>('GET', `/verdicts/${answer.body.verdict_id}`);
    expect(stored.body.subject_ref).toBe('samlp|corp|j***@corp.example');
    expect(JSON.stringify(stored.body)).not.toContain('jane@');
  });

  it('a /screen reference holding an email (plain or URL-encoded) or a +phone is masked; plain ids are kept', async () => {
    const cases: Array<[string, string]> = [
      ['crm:Jane.Doe@Example.org', 'crm:j***@example.org'],
      ['lead?email=jane.doe%40example.org', 'lead?email=j***@example.org'],
      ['sms|+33 6 12 34 56 78', 'sms|+*********78'],
      ['evt_1Pgc76B7WZ01zgkW', 'evt_1Pgc76B7WZ01zgkW'],
      ['3f2a1b9c-1234-5678-9abc-def012345678', '3f2a1b9c-1234-5678-9abc-def012345678'],
    ];
    for (const [reference, masked] of cases) {
      const verdict = await api.screen({ email: `ref.${tag()}@example.com`, reference });
      expect(verdict.source_ref, reference).toBe(masked);
      const stored = await api.request<Verdict>('GET', `/verdicts/${verdict.verdict_id}`);
      expect(stored.body.source_ref, reference).toBe(masked);
    }
  });
});

describe('M3: list precedence', () => {
  it('40 bots at an allow-listed domain from a blocked IP are blocked, with no Defastra call', async () => {
    const domain = `partner${tag()}.example`;
    await api.request('POST', '/lists', { kind: 'email_domain', value: domain, action: 'allow' });
    await api.request('POST', '/lists', { kind: 'ip', value: '192.0.2.40', action: 'block' });
    const before = server.sandbox.stats().requests;
    for (let i = 0; i < 40; i++) {
      const verdict = await api.screen({ email: `bot${i}+high@${domain}`, ip: '192.0.2.40' });
      expect(verdict.decision, `bot ${i}`).toBe('block');
      expect(codes(verdict), `bot ${i}`).toEqual(['blocklist']);
      expect(verdict.reasons[0]?.message).toMatch(/^the client IP is on the block list/);
    }
    expect(server.sandbox.stats().requests).toBe(before);
  });

  it('a domain allow entry exempts nobody from velocity: blocked from the 30th signup of one IP', async () => {
    const domain = `trusted${tag()}.example`;
    await api.request('POST', '/lists', { kind: 'email_domain', value: domain, action: 'allow' });
    const verdicts: Verdict[] = [];
    for (let i = 1; i <= 31; i++)
      verdicts.push(await api.screen({ email: `u${i}@${domain}`, ip: '192.0.2.31' }));
    expect(verdicts.slice(0, 29).every((v) => v.decision === 'allow' && codes(v)[0] === 'allowlist')).toBe(
      true,
    );
    for (const verdict of verdicts.slice(29)) {
      expect(verdict.decision).toBe('block');
      expect(codes(verdict)).toEqual(['velocity']);
    }
  });

  it('an exact email allow entry still beats an IP block, and is not counted', async () => {
    const email = `vip.${tag()}+high@example.net`;
    await api.request('POST', '/lists', { kind: 'email', value: email, action: 'allow' });
    await api.request('POST', '/lists', { kind: 'ip', value: '192.0.2.41', action: 'block' });
    const verdict = await api.screen({ email, ip: '192.0.2.41' });
    expect(verdict.decision).toBe('allow');
    expect(codes(verdict)).toEqual(['allowlist']);
    expect(verdict.email).toEqual({ masked: verdict.email?.masked, listed: 'allow' });
  });

  it('an exact email block entry beats a domain allow entry', async () => {
    const domain = `corp${tag()}.example`;
    await api.request('POST', '/lists', { kind: 'email_domain', value: domain, action: 'allow' });
    await api.request('POST', '/lists', { kind: 'email', value: `fired@${domain}`, action: 'block' });
    const verdict = await api.screen({ email: `fired@${domain}` });
    expect(verdict.decision).toBe('block');
    expect(verdict.email).toMatchObject({ listed: 'block' });
  });
});

describe('L1: redaction of what Defastra writes', () => {
  it('a URL-encoded email in an error message is masked', async () => {
    server.sandbox.setFaults({
      errorType: 'SYSTEM_ERROR',
      errorMessage: 'no answer for /check?email=jane.doe%40victim.org&x=1 (JANE.DOE%2540VICTIM.ORG)',
    });
    try {
      const verdict = await api.screen({ email: `enc.${tag()}@example.com` });
      const message = verdict.email?.error?.message ?? '';
      expect(message).toContain('j***@victim.org');
      expect(message.toLowerCase()).not.toContain('jane.doe');
    } finally {
      server.sandbox.clearFaults();
    }
  });

  it("Defastra's error_type, when it is not one of its codes, is redacted too", async () => {
    server.sandbox.setFaults({
      errorType: 'Unknown user jane.doe@victim.org' as DefastraErrorType,
      errorMessage: 'failed',
    });
    try {
      const verdict = await api.screen({ email: `type.${tag()}@example.com` });
      expect(verdict.degraded).toBe(true);
      expect(verdict.email?.error?.type).toBe('Unknown user j***@victim.org');
      expect(JSON.stringify(verdict)).not.toContain('jane.doe');
    } finally {
      server.sandbox.clearFaults();
    }
  });
});

describe('L2: a client IP that is not one address', () => {
  it.each([
    ['ip:port', '198.51.100.7:8080'],
    ['a list', '198.51.100.7, 10.0.0.1'],
    ['a name', 'proxy.example.net'],
  ])('/screen with %s → 400 invalid_request naming the field', async (_what, ip) => {
    const answer = await api.request<{ error: { code: string; message: string } }>('POST', '/screen', {
      email: `ip.${tag()}@example.com`,
      ip,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect(answer.body.error.message).toMatch(/"ip".*one IPv4 or IPv6 address/);
    expect(answer.body.error.message).not.toContain(ip);
  });

  it('/screen with a JSON list → 400', async () => {
    const answer = await api.request('POST', '/screen', {
      email: `l.${tag()}@example.com`,
      ip: ['198.51.100.7'],
    });
    expect(answer.status).toBe(400);
  });

  it("in a provider's signed body it is ignored, screened without it, with a log line that does not echo it", async () => {
    logs.length = 0;
    const answer = await auth0({
      user: { email: `p.${tag()}@example.com` },
      request: { ip: '198.51.100.7:8080' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.decision).toBe('allow');
    const line = logs.find((l) => l.message.startsWith('client ip ignored'));
    expect(line?.fields).toEqual({ source: 'auth0' });
    expect(JSON.stringify(logs)).not.toContain('198.51.100.7');
  });
});

describe('L4: the parent-domain walk of an email is bounded', () => {
  it('an email at a domain of 124 labels makes at most 10 domain look-ups (allow and block each)', async () => {
    const memory = createMemoryStore();
    const requests: PreludeRequest[] = [];
    const store = {
      ...memory,
      screening: {
        ...memory.screening,
        prelude: (request: PreludeRequest) => {
          requests.push(request);
          return memory.screening.prelude(request);
        },
      },
    };
    // 124 labels in 249 characters: a valid address (a domain may be 253 characters long).
    const domain = `${Array.from({ length: 122 }, (_v, i) => String.fromCharCode(97 + (i % 26))).join('.')}.ex.co`;
    expect(domain.split('.')).toHaveLength(124);
    await screen(
      {
        defastra: {
          checkEmail: async () => {
            throw new Error('not called: the email is skipped by the block entry');
          },
          checkPhone: async () => {
            throw new Error('no phone');
          },
        } as never,
        store,
        hash: createHasher('audit-l4-pepper-0123456789abcdef'),
        telemetry: silentTelemetry,
        now: Date.now,
      },
      parsePolicy({ block: { email_domains: ['ex.co'] } }),
      { source: 'api', sourceRef: null, email: `a@${domain}` },
    ).then((record) => expect(record.verdict.decision).toBe('block'));
    const domainKeys = requests[0]!.lists.filter((key) => key.kind === 'email_domain').map((k) => k.valueKey);
    expect(domainKeys).toHaveLength(10);
    expect(domainKeys).toContain('ex.co');
    expect(domainKeys).toContain('co');
    expect(requests[0]!.lists.length).toBeLessThanOrEqual(12);
  });

  it('a list entry of more than 10 labels is refused (it could never match)', async () => {
    const answer = await api.request<{ error: { message: string } }>('POST', '/lists', {
      kind: 'email_domain',
      value: 'a.b.c.d.e.f.g.h.i.example.com',
      action: 'block',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(/at most 10 labels/);
  });
});
