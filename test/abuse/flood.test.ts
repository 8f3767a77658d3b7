/**
 * A wave against `/hooks/auth0` on the real local server, as an attacker would send it (issue 9): 40 signups from one
 * IP, 40 `+tag` variants of one mailbox, against a rate-limited sandbox; then the spend cap. Past the block
 * thresholds no Defastra call is made and no risky signup is allowed.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Auth0HookResponse } from '../../functions/auth0-hook/app.js';
import { signAuth0Body } from '../../shared/webhooks/auth0.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';

/** Signs and sends one pre-registration event as the shipped Action does (a fresh Idempotency-Key each time). */
const signup = async (server: TestServer, event: unknown): Promise<Auth0HookResponse> => {
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
  expect(res.status).toBe(200);
  return (await res.json()) as Auth0HookResponse;
};

const codes = (verdict: Auth0HookResponse) => verdict.reasons.map((r) => r.code);

describe('a wave of signups against a rate-limited Defastra (default velocity thresholds)', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Defastra refuses us past 5 calls a minute: without velocity, on_error.auth0 (allow) would let the rest in.
    server = await startTestServer({ env: { SANDBOX_RATE_1M: '5' } });
  });
  afterAll(() => server.close());

  it('40 signups from one IP: review from the 10th, block from the 30th with no Defastra call', async () => {
    const tag = `${process.pid}${Date.now()}`;
    const verdicts: Auth0HookResponse[] = [];
    const callsBefore: number[] = [];
    for (let i = 1; i <= 40; i++) {
      callsBefore.push(server.sandbox.stats().requests);
      verdicts.push(
        await signup(server, {
          user: { email: `bot${i}.${tag}+high@example${i % 7}.com` },
          request: { ip: '203.0.113.77' },
        }),
      );
    }
    const calls = server.sandbox.stats().requests;
    verdicts.forEach((verdict, index) => {
      const nth = index + 1;
      if (nth >= 10) expect(verdict.decision, `signup ${nth}`).not.toBe('allow');
      if (nth >= 10 && nth < 30) expect(codes(verdict), `signup ${nth}`).toContain('velocity');
      if (nth >= 30) {
        expect(verdict.decision, `signup ${nth}`).toBe('block');
        expect(verdict.reasons[0]?.message).toMatch(
          /distinct signups from this IP .* block threshold \(30\)/,
        );
        expect(verdict.degraded).toBe(false);
        expect(verdict.email).toEqual({ masked: verdict.email?.masked });
      }
    });
    // Past the block threshold nothing more reached Defastra.
    expect(calls).toBe(callsBefore[29]);
    // And the sandbox did refuse us: the flood was real.
    expect(verdicts.some((v) => v.email?.error?.type === 'RATE_LIMITED_1_MINUTE')).toBe(true);
  });

  it('40 +tag variants of one mailbox: review from the 3rd, block from the 10th with no Defastra call', async () => {
    const mailbox = `victim.${process.pid}${Date.now()}`;
    const verdicts: Auth0HookResponse[] = [];
    let callsAtTenth = 0;
    for (let i = 1; i <= 40; i++) {
      if (i === 10) callsAtTenth = server.sandbox.stats().requests;
      verdicts.push(await signup(server, { user: { email: `${mailbox}+${i}@Example.org` } }));
    }
    verdicts.forEach((verdict, index) => {
      const nth = index + 1;
      if (nth >= 3) expect(verdict.decision, `variant ${nth}`).not.toBe('allow');
      if (nth >= 10) {
        expect(verdict.decision).toBe('block');
        expect(verdict.reasons[0]?.message).toMatch(/for this mailbox .* block threshold \(10\)/);
      }
    });
    expect(server.sandbox.stats().requests).toBe(callsAtTenth);
  });

  it('a retry of the same signup does not raise the count (distinct identities)', async () => {
    const email = `retry.${process.pid}${Date.now()}@example.net`;
    for (let i = 0; i < 12; i++) {
      const verdict = await signup(server, { user: { email }, request: { ip: '198.51.100.200' } });
      expect(codes(verdict)).not.toContain('velocity');
    }
  });

  it('counts an IPv6 client by its /64, and gmail dots and googlemail as one mailbox', async () => {
    const tag = `${process.pid}${Date.now()}`;
    const v6 = [];
    for (let i = 1; i <= 10; i++) {
      v6.push(
        await signup(server, {
          user: { email: `v6.${i}.${tag}@example.com` },
          request: { ip: `2001:db8:7:7::${i}` },
        }),
      );
    }
    expect(codes(v6[9]!)).toContain('velocity');
    const gmail = [`j.o.e${tag}@gmail.com`, `joe${tag}+x@googlemail.com`, `jo.e${tag}+y@gmail.com`];
    const verdicts = [];
    for (const email of gmail) verdicts.push(await signup(server, { user: { email } }));
    expect(codes(verdicts[2]!)).toContain('velocity');
  });
});

describe('the spend cap', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      policy: {
        spend: { max_defastra_calls_per_hour: 5, on_exhausted: 'review' },
        velocity: { ip: { review: null, block: null }, mailbox: { review: null, block: null } },
      },
    });
  });
  afterAll(() => server.close());

  it('stops calls at the cap and marks the verdicts spend_limit, degraded, decided by on_exhausted', async () => {
    const tag = `${process.pid}${Date.now()}`;
    const verdicts: Auth0HookResponse[] = [];
    for (let i = 1; i <= 9; i++)
      verdicts.push(await signup(server, { user: { email: `spend${i}.${tag}@example.com` } }));
    expect(server.sandbox.stats().requests).toBe(5);
    for (const verdict of verdicts.slice(0, 5)) expect(verdict.email?.risk_level).toBe('low');
    for (const verdict of verdicts.slice(5)) {
      expect(verdict).toMatchObject({ decision: 'review', degraded: true });
      expect(codes(verdict)).toEqual(['spend_limit']);
      expect(verdict.email?.error).toEqual({ type: 'SPEND_LIMIT', message: expect.any(String) });
    }
    // A cached result needs no call, so it is still answered under the cap.
    const cached = await signup(server, { user: { email: `spend1.${tag}@example.com` } });
    expect(cached).toMatchObject({ decision: 'allow', degraded: false });
    expect(cached.email?.cached).toBe(true);
  });
});
