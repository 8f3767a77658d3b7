/** The operator API through the Hono app and through the Lambda handler, against dynalite and the sandbox. */
import { handle } from 'hono/aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../functions/api/app.js';
import type { Verdict } from '../../shared/core/verdict.js';
import { SANDBOX_IDENTITIES as ID } from '../../shared/defastra/sandbox/identities.js';
import { createTestDeps, TEST_API_TOKEN, type TestDeps } from '../helpers/deps.js';
import { type LambdaResult, lambdaContext, lambdaEvent, resultJson } from '../helpers/lambda-events.js';

let t: TestDeps;
let app: ReturnType<typeof createApiApp>;
beforeAll(async () => {
  t = await createTestDeps();
  app = createApiApp(t.provider);
});
afterAll(() => t.close());
afterEach(() => {
  t.sandbox.clearFaults();
  t.sandbox.resetStats();
});

const auth = { Authorization: `Bearer ${TEST_API_TOKEN}` };
const json = { 'Content-Type': 'application/json' };
let n = 0;
const email = (tag = 'low') => `api${++n}+${tag}@example.com`;

const post = (body: string, headers: Record<string, string> = {}) =>
  app.request('/screen', { method: 'POST', headers: { ...auth, ...json, ...headers }, body });
const get = (path: string, headers: Record<string, string> = auth) => app.request(path, { headers });
const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string } }).error;

describe('POST /screen', () => {
  it('screens an email and a phone and returns the stored verdict', async () => {
    const res = await post(
      JSON.stringify({ email: email('high'), phone: `+${ID.phone.low}`, reference: 'u-1' }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const verdict = (await res.json()) as Verdict;
    expect(verdict).toMatchObject({ source: 'api', source_ref: 'u-1', decision: 'block', degraded: false });
    expect(verdict.reasons[0]?.code).toBe('email_risk');
    const stored = await get(`/verdicts/${verdict.verdict_id}`);
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual(verdict);
  });

  it.each([
    ['no token', {}, 401, 'unauthorized'],
    ['a wrong token', { Authorization: 'Bearer nope' }, 401, 'unauthorized'],
    ['a non-bearer scheme', { Authorization: `Basic ${TEST_API_TOKEN}` }, 401, 'unauthorized'],
  ])('rejects %s with 401', async (_name, headers, status, code) => {
    const res = await app.request('/screen', {
      method: 'POST',
      headers: { ...json, ...headers },
      body: JSON.stringify({ email: email() }),
    });
    expect(res.status).toBe(status);
    expect((await errorOf(res)).code).toBe(code);
  });

  it.each([
    ['malformed JSON', '{"email":', 400, 'invalid_json'],
    ['a JSON array', '[]', 400, 'invalid_request'],
    ['a wrong type', '{"email": 42}', 400, 'invalid_request'],
    ['an unknown field', '{"email":"a@example.com","emial":"x"}', 400, 'invalid_request'],
    ['neither email nor phone', '{"reference":"x"}', 400, 'invalid_request'],
    ['both null', '{"email":null,"phone":null}', 400, 'invalid_request'],
  ])('rejects %s', async (_name, body, status, code) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    const error = await errorOf(res);
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(5);
    expect(t.sandbox.stats().requests).toBe(0);
  });

  it('names the offending field', async () => {
    const error = await errorOf(await post('{"email": 42}'));
    expect(error.message).toContain('"email"');
    expect((await errorOf(await post('{"email":"a@example.com","emial":"x"}'))).message).toContain('"emial"');
  });

  it('answers 415 for a non-JSON media type, and accepts JSON with parameters', async () => {
    const body = JSON.stringify({ email: email() });
    const text = await post(body, { 'Content-Type': 'text/plain' });
    expect(text.status).toBe(415);
    expect((await errorOf(text)).code).toBe('unsupported_media_type');
    expect((await post(body, { 'Content-Type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it('answers 413 for bodies over 256 KiB, before authentication', async () => {
    const big = JSON.stringify({ email: email(), reference: 'x'.repeat(300 * 1024) });
    const res = await app.request('/screen', { method: 'POST', headers: json, body: big });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('payload_too_large');
  });

  it('orders errors as the contract says: 405 beats 401, 401 beats 415', async () => {
    const get405 = await app.request('/screen', { method: 'GET' });
    expect(get405.status).toBe(405);
    expect(get405.headers.get('allow')).toBe('POST');
    expect((await errorOf(get405)).code).toBe('method_not_allowed');
    const res = await app.request('/screen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'x',
    });
    expect(res.status).toBe(401);
  });

  it('answers 404 with the error shape for unknown routes', async () => {
    const res = await get('/nope');
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('not_found');
  });

  it('never echoes a raw email or phone in errors', async () => {
    const raw = 'secret.person@example.com';
    const res = await post(JSON.stringify({ email: raw, phone: 12345 }));
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain('secret.person');
  });

  it('replays an Idempotency-Key with one Defastra call; a different body is 422', async () => {
    const body = JSON.stringify({ email: email('medium') });
    const first = await post(body, { 'Idempotency-Key': `k-${n}` });
    const second = await post(body, { 'Idempotency-Key': `k-${n}` });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const a = (await first.json()) as Verdict;
    const b = (await second.json()) as Verdict;
    expect(b.verdict_id).toBe(a.verdict_id);
    expect(t.sandbox.stats().requests).toBe(1);
    const other = await post(JSON.stringify({ email: email() }), { 'Idempotency-Key': `k-${n - 1}` });
    expect(other.status).toBe(422);
    expect((await errorOf(other)).code).toBe('idempotency_key_reused');
  });

  it('runs one Defastra call for 10 concurrent requests with one Idempotency-Key', async () => {
    t.sandbox.setFaults({ latencyMs: 150 });
    const body = JSON.stringify({ email: email() });
    const key = `concurrent-${n}`;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => post(body, { 'Idempotency-Key': key })),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect(statuses).toContain(200);
    const ids = new Set<string>();
    for (const r of answers) if (r.status === 200) ids.add(((await r.json()) as Verdict).verdict_id);
    expect(ids.size).toBe(1);
    expect(t.sandbox.stats().requests).toBe(1);
  });

  it('stores 50 parallel screenings with distinct emails, all retrievable', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => post(JSON.stringify({ email: email(), reference: 'bulk' }))),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    const verdicts = (await Promise.all(answers.map((r) => r.json()))) as Verdict[];
    expect(new Set(verdicts.map((v) => v.verdict_id)).size).toBe(50);
    const fetched = await Promise.all(verdicts.map((v) => get(`/verdicts/${v.verdict_id}`)));
    expect(fetched.map((r) => r.status)).toEqual(Array(50).fill(200));
  });

  it('rejects a malformed Idempotency-Key', async () => {
    const res = await post(JSON.stringify({ email: email() }), { 'Idempotency-Key': 'x'.repeat(300) });
    expect(res.status).toBe(400);
  });
});

describe('GET /verdicts/{id}', () => {
  it('answers 404 for unknown and malformed ids', async () => {
    expect((await get('/verdicts/01JDX3K8Y0Q5W6Z8N2M4P6R8T0')).status).toBe(404);
    expect((await get('/verdicts/not-a-ulid')).status).toBe(404);
  });
  it('requires the token and takes GET only', async () => {
    expect((await get('/verdicts/01JDX3K8Y0Q5W6Z8N2M4P6R8T0', {})).status).toBe(401);
    const res = await app.request('/verdicts/01JDX3K8Y0Q5W6Z8N2M4P6R8T0', {
      method: 'DELETE',
      headers: auth,
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});

describe('GET /verdicts', () => {
  const seeded: Verdict[] = [];
  const address = 'list.me+high@example.com';
  beforeAll(async () => {
    for (const body of [
      { email: address },
      { email: ` ${address.toUpperCase()} `, phone: `+${ID.phone.extreme}` },
      { phone: `+${ID.phone.extreme}` },
    ]) {
      const res = await post(JSON.stringify(body));
      seeded.push((await res.json()) as Verdict);
      await new Promise((resolve) => setTimeout(resolve, 3)); // distinct created_at for the since/until test
    }
  });

  const list = async (query: string) => {
    const res = await get(`/verdicts?${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { items: Verdict[]; next_cursor: string | null };
  };

  it('finds verdicts by email and by phone without storing raw values', async () => {
    const byEmail = await list(`email=${encodeURIComponent(address)}`);
    expect(byEmail.items.map((v) => v.verdict_id)).toEqual([seeded[1]!.verdict_id, seeded[0]!.verdict_id]);
    const byPhone = await list(`phone=${encodeURIComponent(`+${ID.phone.extreme}`)}`);
    expect(byPhone.items.map((v) => v.verdict_id)).toEqual([seeded[2]!.verdict_id, seeded[1]!.verdict_id]);
  });

  it('combines filters and pages newest first with an opaque cursor', async () => {
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Verdict[]; next_cursor: string | null } = await list(
        `decision=block&source=api&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(1);
      all.push(...page.items.map((v) => v.verdict_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(new Set(all).size).toBe(all.length);
    for (const v of seeded) expect(all).toContain(v.verdict_id);
    expect([...all].sort().reverse()).toEqual(all);
  });

  it('honours since and until', async () => {
    const created = seeded[1]!.created_at;
    const since = await list(`since=${encodeURIComponent(created)}&email=${encodeURIComponent(address)}`);
    expect(since.items.map((v) => v.verdict_id)).toEqual([seeded[1]!.verdict_id]);
    const until = await list(`until=${encodeURIComponent(created)}&email=${encodeURIComponent(address)}`);
    expect(until.items.map((v) => v.verdict_id)).toEqual([seeded[0]!.verdict_id]);
  });

  it.each([
    ['limit=0'],
    ['limit=101'],
    ['limit=ten'],
    ['decision=maybe'],
    ['source=email'],
    ['since=yesterday'],
    ['until=2026-13-45'],
    ['cursor=bm90LWEtY3Vyc29y'],
    ['email=not-an-email'],
    ['phone=abc'],
    ['colour=red'],
  ])('rejects %s with 400 invalid_request', async (query) => {
    const res = await get(`/verdicts?${query}`);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('invalid_request');
  });

  it('rejects a tampered cursor with 400, never 500', async () => {
    const page = await list('limit=1');
    expect(page.next_cursor).toBeTruthy();
    const c = page.next_cursor!;
    const tampered = `${c.slice(0, -2)}${c.at(-2) === 'A' ? 'B' : 'A'}${c.at(-1)}`;
    const res = await get(`/verdicts?limit=1&cursor=${encodeURIComponent(tampered)}`);
    expect(res.status).toBe(400);
    const reused = await get(`/verdicts?limit=1&decision=allow&cursor=${encodeURIComponent(c)}`);
    expect(reused.status).toBe(400);
  });
});

describe('through the Lambda handler (API Gateway v2 and Function URL events)', () => {
  const handler = () => handle(createApiApp(t.provider));

  it.each([
    ['API Gateway v2, plain body', 'apigw', false],
    ['API Gateway v2, base64 body', 'apigw', true],
    ['Function URL, base64 body, mixed-case headers', 'url', true],
  ] as const)('screens via %s', async (_name, kind, base64) => {
    const event = lambdaEvent({
      kind,
      method: 'POST',
      path: '/screen',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TEST_API_TOKEN}` },
      body: JSON.stringify({ email: email('medium') }),
      base64,
    });
    const result = (await handler()(event, lambdaContext())) as LambdaResult;
    expect(result.statusCode).toBe(200);
    expect(resultJson(result)).toMatchObject({ decision: 'review', source: 'api' });
  });

  it('reads query strings and path parameters from the event', async () => {
    const result = (await handler()(
      lambdaEvent({ method: 'GET', path: '/verdicts', query: { limit: '0' }, headers: auth }),
      lambdaContext(),
    )) as LambdaResult;
    expect(result.statusCode).toBe(400);
    const missing = (await handler()(
      lambdaEvent({ method: 'GET', path: '/verdicts/01JDX3K8Y0Q5W6Z8N2M4P6R8T0', headers: auth }),
      lambdaContext(),
    )) as LambdaResult;
    expect(missing.statusCode).toBe(404);
    expect(resultJson(missing)).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('skips the bearer check when the gateway already did IAM auth, and refuses requests without it', async () => {
    const iam = handle(createApiApp(async () => ({ ...t.deps, apiAuth: { kind: 'iam' } })));
    const signed = (await iam(
      lambdaEvent({ method: 'GET', path: '/verdicts', query: { limit: '1' }, iam: true }),
      lambdaContext(),
    )) as LambdaResult;
    expect(signed.statusCode).toBe(200);
    const unsigned = (await iam(
      lambdaEvent({
        method: 'POST',
        path: '/screen',
        headers: json,
        body: JSON.stringify({ email: email() }),
      }),
      lambdaContext(),
    )) as LambdaResult;
    expect(unsigned.statusCode).toBe(401);
    expect(t.sandbox.stats().requests).toBe(0);
    const wrongMethod = (await iam(
      lambdaEvent({ method: 'PUT', path: '/screen' }),
      lambdaContext(),
    )) as LambdaResult;
    expect(wrongMethod.statusCode).toBe(405);
    const unknown = (await iam(
      lambdaEvent({ method: 'GET', path: '/nowhere' }),
      lambdaContext(),
    )) as LambdaResult;
    expect(resultJson(unknown)).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });
});
