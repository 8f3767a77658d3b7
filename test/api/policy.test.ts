/**
 * The policy lifecycle routes (docs/policy-lifecycle.md) on the real local server: the active version, new versions
 * (validation naming the field, 409 on a stale expected version), the audit trail and its pages, rollback, the shadow
 * policy, and what screenings record under them (policy_version, mode and action, the shadow's decision, /stats).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyVersionAnswer, PolicyVersionPage } from '../../shared/api/policy.js';
import type { StatsAnswer } from '../../shared/api/stats.js';
import { SANDBOX_IDENTITIES as ID } from '../../shared/defastra/sandbox/identities.js';
import { DEFAULT_POLICY } from '../../shared/policy/schema.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { type ErrorAnswerBody, type Operator, operator } from '../helpers/operator.js';

const FILE_VERSION = 'file-7';
const NO_VELOCITY = {
  velocity: { ip: { review: null, block: null }, mailbox: { review: null, block: null } },
};
/** Medium-risk emails are allowed by the file (review only at high), reviewed by the stricter candidate. */
const FILE_POLICY = {
  version: FILE_VERSION,
  cache_hours: 0,
  thresholds: { email: { review: 'high', block: 'extreme' } },
  ...NO_VELOCITY,
};
const STRICT = { thresholds: { email: { review: 'medium', block: 'high' } }, ...NO_VELOCITY, cache_hours: 0 };

let server: TestServer;
let api: Operator;
beforeAll(async () => {
  server = await startTestServer({ policy: FILE_POLICY });
  api = operator(server.url, server.apiToken);
});
afterAll(() => server.close());

let n = 0;
const email = (tag: string) => `policy${++n}.${process.pid}+${tag}@example.com`;
const put = (body: unknown) => api.request<PolicyVersionAnswer & ErrorAnswerBody>('PUT', '/policy', body);
const get = <T = PolicyVersionAnswer & ErrorAnswerBody>(path: string) => api.request<T>('GET', path);

/** Every version name of the audit trail, following next_cursor, with the page sizes seen. */
const walkVersions = async (limit: number) => {
  const names: string[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await get<PolicyVersionPage>(`/policy/versions${query}`);
    expect(page.status).toBe(200);
    names.push(...page.body.items.map((item) => item.version));
    sizes.push(page.body.items.length);
    cursor = page.body.next_cursor;
  } while (cursor !== null && sizes.length < 50);
  return { names, sizes };
};

describe('the policy lifecycle, in order', () => {
  it('GET /policy: before any change, the bundled file is the active version', async () => {
    const { status, body } = await get('/policy');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      version: FILE_VERSION,
      created_by: 'file',
      created_at: null,
      comment: null,
    });
    // The effective merged policy: the file over the defaults, every key present.
    expect(body.policy).toMatchObject({
      version: FILE_VERSION,
      mode: 'enforce',
      thresholds: { email: { review: 'high', block: 'extreme' }, phone: DEFAULT_POLICY.thresholds.phone },
      user_message: DEFAULT_POLICY.user_message,
      sources: {},
    });
    const screened = await api.screen({ email: email('medium') });
    expect(screened).toMatchObject({ decision: 'allow', policy_version: FILE_VERSION, mode: 'enforce' });
  });

  it('PUT /policy: an invalid policy is 400 naming the field, and changes nothing', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [
        { policy: { thresholds: { email: { block: 'severe' } } } },
        /^body field "policy": .*thresholds\.email\.block/,
      ],
      [{ policy: { thresholdz: {} } }, /^body field "policy": .*thresholdz: unknown key/],
      [{ policy: { sources: { nowhere: {} } } }, /sources\.nowhere: unknown key/],
      [{ policy: { mode: 'watch' } }, /^body field "policy": .*mode/],
      [{ policy: {}, comment: 'x'.repeat(501) }, /^body field "comment"/],
      [{ policy: [] }, /^body field "policy"/],
      [{ policy: {}, unexpected: 1 }, /^body field "unexpected": unknown field/],
      [{ comment: 'no policy' }, /^body field "policy"/],
    ];
    for (const [body, message] of cases) {
      const answer = await put(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.code).toBe('invalid_request');
      expect(answer.body.error.message).toMatch(message);
    }
    expect((await get('/policy')).body.version).toBe(FILE_VERSION);
  });

  it('PUT /policy: 201 with r1, which governs the very next screening here', async () => {
    const created = await put({
      policy: STRICT,
      comment: 'stricter email review',
      expected_version: FILE_VERSION,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      version: 'r1',
      created_by: 'local',
      comment: 'stricter email review',
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(created.body.policy).toMatchObject({
      version: 'r1',
      thresholds: STRICT.thresholds,
      mode: 'enforce',
    });
    expect((await get('/policy')).body).toEqual(created.body);

    const screened = await api.screen({ email: email('medium') });
    expect(screened).toMatchObject({ decision: 'review', policy_version: 'r1', action: 'review' });
  });

  it('PUT /policy: a version in the body is ignored (the server numbers versions)', async () => {
    const created = await put({ policy: { ...STRICT, version: 'mine' } });
    expect(created.status).toBe(201);
    expect(created.body.version).toBe('r2');
    expect(created.body.policy.version).toBe('r2');
  });

  it('PUT /policy: expected_version that is not the active one → 409 version_conflict, nothing written', async () => {
    const stale = await put({ policy: {}, expected_version: 'r1' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    expect(stale.body.error.message).toContain('r2');
    expect((await get('/policy')).body.version).toBe('r2');
    const fresh = await put({ policy: STRICT, expected_version: 'r2', comment: null });
    expect(fresh.status).toBe(201);
    expect(fresh.body).toMatchObject({ version: 'r3', comment: null });
  });

  it('concurrent PUTs each get their own number (none lost, none repeated)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 4 }, (_, i) => put({ policy: STRICT, comment: `c${i}` })),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    expect(answers.map((a) => a.body.version).sort()).toEqual(['r4', 'r5', 'r6', 'r7']);
  });

  it('GET /policy/versions: the audit trail, newest first, the file last, the same through any page size', async () => {
    const { status, body } = await get<PolicyVersionPage>('/policy/versions');
    expect(status).toBe(200);
    expect(body.next_cursor).toBeNull();
    expect(body.items.map((item) => item.version)).toEqual([
      'r7',
      'r6',
      'r5',
      'r4',
      'r3',
      'r2',
      'r1',
      FILE_VERSION,
    ]);
    expect(body.items.at(-1)).toEqual({
      version: FILE_VERSION,
      created_at: null,
      created_by: 'file',
      comment: null,
    });
    expect(body.items.at(-2)).toMatchObject({
      version: 'r1',
      created_by: 'local',
      comment: 'stricter email review',
    });
    expect(body.items[0]).not.toHaveProperty('policy');
    for (const limit of [1, 2, 3, 7, 8]) {
      const walked = await walkVersions(limit);
      expect(walked.names, `limit ${limit}`).toEqual(body.items.map((item) => item.version));
      expect(Math.max(...walked.sizes)).toBeLessThanOrEqual(limit);
    }
  });

  it('GET /policy/versions: a bad cursor or limit is 400', async () => {
    for (const query of [
      '?cursor=nope',
      '?cursor=YmVmb3JlOjA',
      '?limit=0',
      '?limit=101',
      '?limit=x',
      '?other=1',
    ]) {
      const answer = await get<ErrorAnswerBody>(`/policy/versions${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error.code).toBe('invalid_request');
    }
  });

  it('GET /policy/versions/{version}: a runtime version or the file, with its policy; 404 otherwise', async () => {
    const r1 = await get('/policy/versions/r1');
    expect(r1.status).toBe(200);
    expect(r1.body).toMatchObject({ version: 'r1', comment: 'stricter email review' });
    expect(r1.body.policy).toMatchObject({ version: 'r1', thresholds: STRICT.thresholds });
    const file = await get(`/policy/versions/${FILE_VERSION}`);
    expect(file.body).toMatchObject({ version: FILE_VERSION, created_by: 'file' });
    for (const unknown of ['r99', 'r0', 's1', 'default-1', 'x'.repeat(65)]) {
      const answer = await get<ErrorAnswerBody>(`/policy/versions/${unknown}`);
      expect(answer.status, unknown).toBe(404);
      expect(answer.body.error.code).toBe('not_found');
    }
  });

  it('POST /policy/rollback: a new version with the old one’s policy; 404 for an unknown one', async () => {
    const unknown = await api.request<ErrorAnswerBody>('POST', '/policy/rollback', { version: 'r42' });
    expect(unknown.status).toBe(404);
    expect((await api.request<ErrorAnswerBody>('POST', '/policy/rollback', {})).status).toBe(400);

    const back = await api.request<PolicyVersionAnswer>('POST', '/policy/rollback', {
      version: FILE_VERSION,
    });
    expect(back.status).toBe(201);
    expect(back.body).toMatchObject({
      version: 'r8',
      comment: `rollback to ${FILE_VERSION}`,
      created_by: 'local',
    });
    const file = (await get(`/policy/versions/${FILE_VERSION}`)).body.policy;
    expect(back.body.policy).toEqual({ ...file, version: 'r8' });
    expect(await api.screen({ email: email('medium') })).toMatchObject({
      decision: 'allow',
      policy_version: 'r8',
    });

    const again = await api.request<PolicyVersionAnswer>('POST', '/policy/rollback', { version: 'r1' });
    expect(again.body).toMatchObject({ version: 'r9', comment: 'rollback to r1' });
    expect(again.body.policy).toEqual({ ...(await get('/policy/versions/r1')).body.policy, version: 'r9' });
    // Nothing is ever deleted: the trail holds every version, rollbacks included.
    expect((await walkVersions(100)).names).toHaveLength(10);
  });
});

describe('the shadow policy', () => {
  it('GET /policy/shadow is 404 while none is set; DELETE too', async () => {
    expect((await get<ErrorAnswerBody>('/policy/shadow')).status).toBe(404);
    expect((await api.request<ErrorAnswerBody>('DELETE', '/policy/shadow')).status).toBe(404);
  });

  it('PUT /policy/shadow validates like PUT /policy', async () => {
    const answer = await api.request<ErrorAnswerBody>('PUT', '/policy/shadow', {
      policy: { spend: { on_exhausted: 'x' } },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(/^body field "policy": .*spend\.on_exhausted/);
  });

  it('decides every screening under the shadow too, from the same answers: no extra Defastra call', async () => {
    // Active: r9 (strict: medium → review). Shadow: lenient (medium → allow, high → review).
    const lenient = {
      thresholds: { email: { review: 'high', block: 'extreme' } },
      ...NO_VELOCITY,
      cache_hours: 0,
    };
    const mediumNoShadow = email('medium');
    server.sandbox.resetStats();
    const without = await api.screen({ email: mediumNoShadow });
    const callsWithout = server.sandbox.stats().requests;
    expect(without.shadow).toBeNull();
    expect(callsWithout).toBe(1);

    const set = await api.request<PolicyVersionAnswer>('PUT', '/policy/shadow', {
      policy: lenient,
      comment: 'try',
    });
    expect(set.status).toBe(201);
    expect(set.body).toMatchObject({ version: 's1', comment: 'try', created_by: 'local' });
    expect((await get('/policy/shadow')).body).toEqual(set.body);
    // The shadow does not change what is active.
    expect((await get('/policy')).body.version).toBe('r9');

    server.sandbox.resetStats();
    const medium = await api.screen({ email: email('medium') });
    expect(server.sandbox.stats().requests).toBe(callsWithout);
    expect(medium).toMatchObject({
      decision: 'review',
      policy_version: 'r9',
      shadow: { version: 's1', decision: 'allow' },
    });

    server.sandbox.resetStats();
    const both = await api.screen({ email: email('high'), phone: `+${ID.phone.low}` });
    expect(server.sandbox.stats().requests).toBe(2);
    expect(both).toMatchObject({ decision: 'block', shadow: { version: 's1', decision: 'review' } });

    // The counters of a new verdict are added off the request path: wait for the change feed first.
    await server.server.effects.drain();
    const stats = await get<StatsAnswer>('/stats?bucket=hour');
    const shadow = stats.body.buckets.at(-1)?.shadow;
    expect(shadow?.review?.allow).toBe(1);
    expect(shadow?.block?.review).toBe(1);
  });

  it('applies the shadow’s own lists to the same identifiers (no look-up is repeated)', async () => {
    const listed = email('low');
    const blocking = { ...NO_VELOCITY, cache_hours: 0, block: { emails: [listed] } };
    expect((await api.request('PUT', '/policy/shadow', { policy: blocking })).status).toBe(201);
    server.sandbox.resetStats();
    const verdict = await api.screen({ email: listed });
    expect(server.sandbox.stats().requests).toBe(1);
    expect(verdict).toMatchObject({ decision: 'allow', shadow: { version: 's2', decision: 'block' } });
  });

  it('DELETE /policy/shadow: 204, then screenings record no shadow and /stats has no shadow transitions', async () => {
    const cleared = await api.request('DELETE', '/policy/shadow');
    expect(cleared.status).toBe(204);
    expect((await get('/policy/shadow')).status).toBe(404);
    expect((await api.screen({ email: email('low') })).shadow).toBeNull();
    const stats = await get<StatsAnswer>('/stats?bucket=hour');
    expect(stats.body.buckets.at(-1)).not.toHaveProperty('shadow');
    // Shadow numbers are never reused.
    const next = await api.request<PolicyVersionAnswer>('PUT', '/policy/shadow', { policy: {} });
    expect(next.body.version).toBe('s3');
    expect((await api.request('DELETE', '/policy/shadow')).status).toBe(204);
  });
});

describe('monitor mode', () => {
  it('records the policy’s decision, asks the caller to allow, and counts monitored verdicts', async () => {
    const before = (await get<StatsAnswer>('/stats?bucket=hour')).body.buckets.at(-1)?.monitored ?? 0;
    expect((await put({ policy: { ...STRICT, mode: 'monitor' } })).status).toBe(201);
    const verdict = await api.screen({ email: email('high') });
    expect(verdict).toMatchObject({ decision: 'block', action: 'allow', mode: 'monitor' });
    expect(verdict.reasons.map((r) => r.code)).toEqual(['email_risk']);
    const stored = await get(`/verdicts/${verdict.verdict_id}`);
    expect(stored.body).toMatchObject({ decision: 'block', action: 'allow', mode: 'monitor' });
    const after = (await get<StatsAnswer>('/stats?bucket=hour')).body.buckets.at(-1);
    expect(after?.monitored).toBe(before + 1);
    expect(after?.block).toBeGreaterThan(0);
  });

  it('per source: sources.<source>.mode overrides the global mode', async () => {
    expect(
      (await put({ policy: { ...STRICT, mode: 'monitor', sources: { api: { mode: 'enforce' } } } })).status,
    ).toBe(201);
    expect(await api.screen({ email: email('high') })).toMatchObject({ action: 'block', mode: 'enforce' });
    expect((await put({ policy: { ...STRICT, sources: { api: { mode: 'monitor' } } } })).status).toBe(201);
    expect(await api.screen({ email: email('high') })).toMatchObject({
      decision: 'block',
      action: 'allow',
      mode: 'monitor',
    });
  });
});
