/** `GET /stats` (docs/reviews.md) on the real local server: counts match the verdicts made, buckets, defaults and bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatsBucket } from '../../shared/api/stats.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { type ErrorAnswerBody, type Operator, operator } from '../helpers/operator.js';

let server: TestServer;
let api: Operator;
beforeAll(async () => {
  server = await startTestServer({
    policy: { velocity: { ip: { review: 2, block: 3 }, mailbox: { review: null, block: null } } },
  });
  api = operator(server.url, server.apiToken);
});
afterAll(() => server.close());

type Stats = { buckets: StatsBucket[] } & ErrorAnswerBody;
const stats = (query: string) => api.request<Stats>('GET', `/stats${query}`);
const sum = (buckets: StatsBucket[], pick: (b: StatsBucket) => number) =>
  buckets.reduce((n, b) => n + pick(b), 0);

describe('GET /stats', () => {
  it('counts what the screenings did: decisions, sources, degraded, Defastra calls, cache hits, velocity', async () => {
    const since = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
    const tag = `${process.pid}${Date.now()}`;
    await api.screen({ email: `a${tag}+low@example.com`, phone: '+33600000001' }); // allow, 2 calls
    await api.screen({ email: `a${tag}+low@example.com` }); // allow, cache hit
    await api.screen({ email: `b${tag}+medium@example.com` }); // review, 1 call
    await api.screen({ email: `c${tag}+high@example.com` }); // block, 1 call
    server.sandbox.setFaults({ errorType: 'SYSTEM_UNAVAILABLE' });
    await api.screen({ email: `d${tag}+low@example.com` }); // review (on_error.api), degraded, no answer
    server.sandbox.clearFaults();
    // Three more from one IP: the 2nd reaches review, the 3rd block (velocity, no call).
    for (const i of [1, 2, 3]) await api.screen({ email: `v${i}${tag}+low@example.com`, ip: '203.0.113.9' });
    // The counters are added off the request path, from the store's change feed.
    await server.server.effects.drain();

    const { status, body } = await stats(`?since=${since}&bucket=hour`);
    expect(status).toBe(200);
    const b = body.buckets;
    expect(b[0]!.start).toBe(since);
    expect(sum(b, (x) => x.allow)).toBe(3);
    expect(sum(b, (x) => x.review)).toBe(3);
    expect(sum(b, (x) => x.block)).toBe(2);
    expect(sum(b, (x) => x.by_source.api!.block)).toBe(2);
    expect(sum(b, (x) => x.by_source.stripe!.allow)).toBe(0);
    expect(sum(b, (x) => x.degraded)).toBe(1);
    // Answered (billed) calls: 2 + 1 + 1, then 1 for each of the first two velocity signups; failures are free.
    expect(sum(b, (x) => x.defastra_calls)).toBe(6);
    expect(sum(b, (x) => x.cache_hits)).toBe(1);
    expect(sum(b, (x) => x.velocity)).toBe(2);
    expect(sum(b, (x) => x.spend_limited)).toBe(0);
  });

  it('defaults to the last 14 days by day, oldest first, empty days with zeros', async () => {
    const { body } = await stats('');
    expect(body.buckets).toHaveLength(14);
    const starts = body.buckets.map((b) => Date.parse(b.start));
    expect(starts.every((s, i) => i === 0 || s - starts[i - 1]! === 86_400_000)).toBe(true);
    expect(new Date(starts[13]!).toISOString().slice(0, 10)).toBe(new Date().toISOString().slice(0, 10));
    expect(body.buckets[0]).toEqual({
      start: body.buckets[0]!.start,
      allow: 0,
      review: 0,
      block: 0,
      degraded: 0,
      by_source: {
        auth0: { allow: 0, review: 0, block: 0 },
        stripe: { allow: 0, review: 0, block: 0 },
        api: { allow: 0, review: 0, block: 0 },
        cognito: { allow: 0, review: 0, block: 0 },
        supabase: { allow: 0, review: 0, block: 0 },
        okta: { allow: 0, review: 0, block: 0 },
        kratos: { allow: 0, review: 0, block: 0 },
        paddle: { allow: 0, review: 0, block: 0 },
        clerk: { allow: 0, review: 0, block: 0 },
        firebase: { allow: 0, review: 0, block: 0 },
        workos: { allow: 0, review: 0, block: 0 },
      },
      defastra_calls: 0,
      cache_hits: 0,
      velocity: 0,
      spend_limited: 0,
      monitored: 0,
    });
  });

  it('rounds since down and until up to the bucket size', async () => {
    const { body } = await stats('?since=2026-11-20T10:30:00Z&until=2026-11-20T13:10:00Z&bucket=hour');
    expect(body.buckets.map((b) => b.start)).toEqual([
      '2026-11-20T10:00:00.000Z',
      '2026-11-20T11:00:00.000Z',
      '2026-11-20T12:00:00.000Z',
      '2026-11-20T13:00:00.000Z',
    ]);
  });

  it.each([
    ['a bucket other than hour or day', '?bucket=week'],
    ['a bad date', '?since=yesterday'],
    ['until before since', '?since=2026-11-20T00:00:00Z&until=2026-11-19T00:00:00Z'],
    ['too many buckets', '?since=2020-01-01T00:00:00Z&until=2026-01-01T00:00:00Z&bucket=hour'],
    ['an unknown parameter', '?source=api'],
  ])('refuses %s with 400 invalid_request', async (_name, query) => {
    const { status, body } = await stats(query);
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_request');
  });

  it('needs the operator token', async () => {
    expect((await fetch(`${server.url}/stats`)).status).toBe(401);
  });
});
