/** Unit tests of the listing engine: index choice, the k-way merge and its positions, cursor signing. */
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../shared/core/verdict.js';
import {
  decodeCursor,
  encodeCursor,
  type FetchPartition,
  type ListedVerdict,
  planQuery,
  walkPage,
} from '../../shared/store/cursor.js';
import { InvalidCursorError } from '../../shared/store/errors.js';

const shards = (value?: string) =>
  Array.from({ length: 16 }, (_v, shard) => (value === undefined ? { shard } : { value, shard }));

describe('planQuery', () => {
  it('picks the email index first, then phone, review, decision, else the time shards', () => {
    expect(
      planQuery({
        emailHash: 'e',
        phoneHash: 'p',
        decision: 'block',
        source: 'api',
        review: 'pending',
        limit: 5,
      }),
    ).toEqual({
      index: 'byEmail',
      partitions: [{ value: 'e' }],
      filters: { phoneHash: 'p', decision: 'block', source: 'api', review: 'pending' },
    });
    expect(planQuery({ phoneHash: 'p', decision: 'block', limit: 5 })).toEqual({
      index: 'byPhone',
      partitions: [{ value: 'p' }],
      filters: { decision: 'block' },
    });
    expect(planQuery({ review: 'approved', decision: 'block', limit: 5 })).toEqual({
      index: 'byReview',
      partitions: shards('approved'),
      filters: { decision: 'block' },
    });
    expect(planQuery({ decision: 'review', limit: 5 })).toEqual({
      index: 'byDecision',
      partitions: shards('review'),
      filters: {},
    });
    expect(planQuery({ source: 'stripe', since: '2026-11-20T10:00:00Z', limit: 5 })).toEqual({
      index: 'byTime',
      partitions: shards(),
      filters: { source: 'stripe' },
      since: '2026-11-20T10:00:00.000Z',
    });
  });

  it('rejects bad limits and dates with RangeError', () => {
    expect(() => planQuery({ limit: 0 })).toThrow(RangeError);
    expect(() => planQuery({ limit: 101 })).toThrow(RangeError);
    expect(() => planQuery({ limit: 10, since: 'yesterday-ish' })).toThrow(RangeError);
    expect(() => planQuery({ limit: 10, until: '' })).toThrow(RangeError);
  });
});

/** Fake time partitions (`T#<shard>`): sorted sort keys, served newest first within a range, with a call log. */
const fakePartitions = (data: Record<string, string[]>) => {
  const calls: string[] = [];
  const fetch: FetchPartition = async (partition, range, need) => {
    const name = `T#${partition.shard}`;
    calls.push(name);
    return (data[name] ?? [])
      .filter(
        (key) =>
          (range.from === undefined || key >= range.from) &&
          (range.before === undefined || key < range.before),
      )
      .sort()
      .reverse()
      .slice(0, need)
      .map((sortKey): ListedVerdict => ({ sortKey, verdict: { verdict_id: sortKey } as Verdict }));
  };
  return { fetch, calls };
};

describe('walkPage', () => {
  const plan = planQuery({ limit: 3 });
  const data = {
    'T#0': ['t1#a', 't5#a', 't9#a'],
    'T#1': ['u#r'],
    'T#2': ['t3#b', 't4#b', 't6#b', 't7#b', 't8#b'],
  };

  it('merges partitions newest first and stops asking partitions it has exhausted', async () => {
    const { fetch, calls } = fakePartitions(data);
    const seen: string[] = [];
    let positions = plan.partitions.map(() => null as string | null | false);
    for (let page = 0; page < 10; page++) {
      calls.length = 0;
      const result = await walkPage(plan, 3, positions, fetch);
      seen.push(...result.items.map((verdict) => verdict.verdict_id));
      if (page > 0) expect(calls).toEqual(['T#0', 'T#2']);
      if (result.next === null) break;
      positions = result.next;
    }
    expect(seen).toEqual(['u#r', 't9#a', 't8#b', 't7#b', 't6#b', 't5#a', 't4#b', 't3#b', 't1#a']);
  });

  it('returns no cursor when the last page is exactly full', async () => {
    const { fetch } = fakePartitions({ 'T#5': ['a', 'b', 'c'] });
    const result = await walkPage(planQuery({ limit: 3 }), 3, [], fetch);
    expect(result.items).toHaveLength(3);
    expect(result.next).toBeNull();
  });
});

describe('cursor signing', () => {
  const plan = planQuery({ emailHash: 'e', limit: 5 });

  it('round-trips positions for the same plan and key', () => {
    const cursor = encodeCursor('k', plan, ['2026-11-20T10:00:00.000Z#01J']);
    expect(decodeCursor('k', plan, cursor)).toEqual(['2026-11-20T10:00:00.000Z#01J']);
    expect(decodeCursor('k', planQuery({ emailHash: 'e', limit: 50 }), cursor)).toHaveLength(1);
  });

  it('refuses another key, another plan, or a position count that does not fit the plan', () => {
    const cursor = encodeCursor('k', plan, ['x']);
    expect(() => decodeCursor('other', plan, cursor)).toThrow(InvalidCursorError);
    expect(() => decodeCursor('k', planQuery({ emailHash: 'f', limit: 5 }), cursor)).toThrow(
      InvalidCursorError,
    );
    const merge = planQuery({ limit: 5 });
    expect(() => decodeCursor('k', merge, encodeCursor('k', merge, ['x']))).toThrow(InvalidCursorError);
  });
});
