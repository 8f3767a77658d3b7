/**
 * Statistics counted off the request path (docs/capacity.md): the increment of a new verdict from its record alone,
 * increments merged per counter item, the stream consumer's counting (failures reported per record), and a screening
 * that counts on its path only under a spend cap — with the local change feed adding each verdict exactly once.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localEffects } from '../../local/effects.js';
import type { Verdict } from '../../shared/core/verdict.js';
import { withChangeFeed } from '../../shared/events/change-feed.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { fixedPolicy } from '../../shared/policy/source.js';
import { screenOnce } from '../../shared/screening/screen-once.js';
import { hourOf, usageOf, verdictIncrement } from '../../shared/stats/counters.js';
import { countRecords } from '../../shared/stats/stream.js';
import { mergeIncrements } from '../../shared/stats/sums.js';
import { verdictToItem } from '../../shared/store/dynamo/codec.js';
import { markerKey } from '../../shared/store/dynamo/keys.js';
import { createMemoryStore } from '../../shared/store/memory.js';
import type { StatsIncrement, Store } from '../../shared/store/ports.js';
import { statsShardOf } from '../../shared/store/shards.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';
import { makeRecord } from '../store/contract.js';

const AT = Date.parse('2026-11-30T10:17:00.000Z');
const result = (cached: boolean) => ({
  masked: 'a***@example.com',
  risk_level: 'low' as const,
  risk_score: 1,
  request_id: 'R',
  cached,
  checks: [],
});

describe('the increment of a new verdict', () => {
  it('is read from the record: its hour, decision, source, what the screening cost, and its expiry', () => {
    const record = makeRecord({ at: AT, decision: 'review', source: 'stripe' });
    record.verdict.email = result(false);
    record.verdict.phone = result(true);
    record.verdict.degraded = true;
    record.verdict.reasons = [{ code: 'velocity', message: 'm' }];
    expect(verdictIncrement(record)).toEqual({
      hour: '2026-11-30T10:00:00.000Z',
      shardSeed: record.verdict.verdict_id,
      counts: {
        review: 1,
        src_stripe_review: 1,
        degraded: 1,
        defastra_calls: 1,
        cache_hits: 1,
        velocity: 1,
        spend_limited: 0,
        monitored: 0,
      },
      expiresAt: record.expiresAt,
    });
  });

  it('counts billed answers and reused ones, never errors, list hits or skipped identifiers', () => {
    const none = { email: null, phone: null };
    expect(usageOf(none)).toEqual({ calls: 0, cacheHits: 0 });
    expect(usageOf({ email: result(false), phone: result(false) })).toEqual({ calls: 2, cacheHits: 0 });
    expect(
      usageOf({
        email: { masked: 'a', error: { type: 'TIMEOUT', message: 'm' } },
        phone: { masked: 'b', listed: 'block' },
      }),
    ).toEqual({ calls: 0, cacheHits: 0 });
  });
});

describe('merged increments', () => {
  const increment = (seed: string, hour: string, expiresAt = 10): StatsIncrement => ({
    hour,
    shardSeed: seed,
    counts: { allow: 1, defastra_calls: 1 },
    expiresAt,
  });
  // Seeds whose shards are known: two on one shard, one on another.
  const seeds = Array.from({ length: 64 }, (_, i) => `seed-${i}`);
  const [a, b] = seeds.filter((s) => statsShardOf(s) === statsShardOf(seeds[0]!));
  const other = seeds.find((s) => statsShardOf(s) !== statsShardOf(seeds[0]!))!;

  it('make one write per hour and shard, summing counts and keeping the latest expiry', () => {
    const h1 = '2026-11-30T10:00:00.000Z';
    const h2 = '2026-11-30T11:00:00.000Z';
    const merged = mergeIncrements([
      increment(a!, h1, 10),
      increment(other, h1),
      increment(b!, h1, 20),
      increment(a!, h2),
    ]);
    expect(merged.map((m) => m.parts)).toEqual([[0, 2], [1], [3]]);
    expect(merged[0]!.increment).toEqual({
      hour: h1,
      shardSeed: a,
      counts: { allow: 2, defastra_calls: 2 },
      expiresAt: 20,
    });
  });
});

/** A stream record (NEW_AND_OLD_IMAGES) as the consumer receives it. */
const streamRecord = (eventName: 'INSERT' | 'MODIFY', sequence: string, image: Record<string, unknown>) =>
  ({
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: { SequenceNumber: sequence, StreamViewType: 'NEW_AND_OLD_IMAGES', NewImage: image },
  }) as DynamoDBRecord;

describe('the stream consumer', () => {
  it('counts new verdicts not counted by their screening, merged, and reports the records of a failed write', async () => {
    const records = Array.from({ length: 40 }, (_, i) => makeRecord({ at: AT + i, decision: 'allow' }));
    const counted = { ...makeRecord({ at: AT, decision: 'block' }), counted: true as const };
    const batch = [
      ...records.map((r, i) => streamRecord('INSERT', String(100 + i), verdictToItem(r))),
      streamRecord('INSERT', '200', verdictToItem(counted)),
      streamRecord('MODIFY', '201', verdictToItem(records[0]!)),
      streamRecord('INSERT', '202', markerKey('api', 'k')),
      streamRecord('INSERT', '203', { pk: { S: 'V#X' }, sk: { S: 'V' }, body: { S: 'not json' } }),
    ];
    const writes: StatsIncrement[] = [];
    const failing = statsShardOf(records[0]!.verdict.verdict_id);
    const retry = await countRecords(batch, {
      async record(increment) {
        if (statsShardOf(increment.shardSeed) === failing) throw new Error('throttled');
        writes.push(increment);
      },
    });
    const allows = writes.reduce((n, w) => n + (w.counts.allow ?? 0), 0);
    const failed = records.filter((r) => statsShardOf(r.verdict.verdict_id) === failing);
    expect(allows + failed.length).toBe(40);
    expect(writes.reduce((n, w) => n + (w.counts.block ?? 0), 0)).toBe(0);
    // One write per shard the batch touched (all in one hour), never one per verdict.
    expect(new Set(writes.map((w) => statsShardOf(w.shardSeed))).size).toBe(writes.length);
    expect(retry.sort()).toEqual(
      records
        .map((r, i) => [r, String(100 + i)] as const)
        .filter(([r]) => statsShardOf(r.verdict.verdict_id) === failing)
        .map(([, s]) => s)
        .sort(),
    );
  });
});

describe('a screening', () => {
  let t: TestDeps;
  beforeAll(async () => {
    t = await createTestDeps({ store: 'memory' });
  });
  afterAll(() => t.close());

  /** The deps with a fresh store behind the local change feed and effects, and a policy; `onPath` counts the screening's own counter writes. */
  const wired = (policy: unknown) => {
    const table = createMemoryStore();
    const effects = localEffects({
      events: { publish: () => undefined, drain: async () => undefined },
      publish: [],
      counters: table.counters,
      telemetry: silentTelemetry,
    });
    const onPath: StatsIncrement[] = [];
    const store: Store = {
      ...table,
      verdicts: withChangeFeed(table.verdicts, effects.onChange),
      counters: {
        ...table.counters,
        record: async (increment) => {
          onPath.push(increment);
          await table.counters.record(increment);
        },
      },
    };
    return { table, effects, onPath, deps: { ...t.deps, store, policy: fixedPolicy(parsePolicy(policy)) } };
  };
  const allowsIn = async (table: Store) =>
    (await table.counters.read(hourOf(Date.now() - 3_600_000), hourOf(Date.now() + 3_600_000))).reduce(
      (n, h) => n + (h.counts.allow ?? 0) + (h.counts.defastra_calls ?? 0) * 100,
      0,
    );
  const screenOne = async (deps: Parameters<typeof screenOnce>[0], email: string): Promise<Verdict> =>
    (await screenOnce(deps, { input: { source: 'api', sourceRef: null, email } })).verdict;

  it('leaves its counters to the change feed without a spend cap: one allow and one call, once', async () => {
    const { table, effects, onPath, deps } = wired({});
    const verdict = await screenOne(deps, `off${Date.now()}+low@example.com`);
    expect(verdict.decision).toBe('allow');
    await effects.drain();
    expect(onPath).toEqual([]);
    expect(await allowsIn(table)).toBe(101);
  });

  it('counts on its path under a spend cap (the cap reads the total at once), and the change feed adds nothing', async () => {
    const { table, effects, onPath, deps } = wired({ spend: { max_defastra_calls_per_hour: 1000 } });
    await screenOne(deps, `cap${Date.now()}+low@example.com`);
    expect(onPath).toHaveLength(1);
    await effects.drain();
    expect(await allowsIn(table)).toBe(101);
  });
});
