/**
 * Decision quality (docs/outcomes.md): the counter moves of a verdict change (label, review, decision), and
 * `GET /quality`'s arithmetic over the in-memory store's counters: totals, labels, shares (null when nothing is
 * labelled), per source, the source filter, day and week buckets, and refused ranges.
 */
import { describe, expect, it } from 'vitest';
import type { Decision, Source } from '../../shared/core/levels.js';
import type { Outcome, Review, Verdict } from '../../shared/core/verdict.js';
import { verdictIncrement } from '../../shared/stats/counters.js';
import { labelCounter, qualityIncrement } from '../../shared/stats/quality.js';
import { readQuality } from '../../shared/stats/quality-read.js';
import { createMemoryStore } from '../../shared/store/memory.js';
import type { Store } from '../../shared/store/ports.js';
import { makeRecord } from '../store/contract.js';

const NOW = Date.parse('2026-12-30T12:00:00.000Z');
const DAY = 86_400_000;
const label = (l: 'fraud' | 'legit'): Outcome => ({
  label: l,
  source: 'api',
  note: null,
  labelled_at: new Date(NOW).toISOString(),
  labelled_by: 'local',
});
const review = (outcome: 'approve' | 'reject'): Review => ({
  outcome,
  note: null,
  reviewed_at: new Date(NOW).toISOString(),
  reviewed_by: 'local',
});
const verdictAt = (at: number, decision: Decision = 'allow', source: Source = 'api'): Verdict =>
  makeRecord({ at, decision, source }).verdict;

describe('qualityIncrement', () => {
  const v = verdictAt(Date.parse('2026-12-01T10:17:00.000Z'), 'allow', 'auth0');

  it('counts a new label once, in the hour the verdict was created, on its own statistics shard', () => {
    const increment = qualityIncrement(v, { ...v, outcome: label('fraud') }, 90);
    expect(increment).toEqual({
      hour: '2026-12-01T10:00:00.000Z',
      shardSeed: v.verdict_id,
      counts: { [labelCounter('auth0', 'allow', 'fraud')]: 1 },
      expiresAt: Date.parse('2026-12-01T11:00:00.000Z') / 1000 + 90 * 86_400,
    });
  });

  it('moves the count when the label, or the decision of a labelled verdict, changes; nothing else moves it', () => {
    const fraud = { ...v, outcome: label('fraud') };
    expect(qualityIncrement(fraud, { ...v, outcome: label('legit') }, 90)?.counts).toEqual({
      lbl_auth0_allow_fraud: -1,
      lbl_auth0_allow_legit: 1,
    });
    expect(qualityIncrement(fraud, { ...fraud, decision: 'block' }, 90)?.counts).toEqual({
      lbl_auth0_allow_fraud: -1,
      lbl_auth0_block_fraud: 1,
    });
    expect(
      qualityIncrement(fraud, { ...fraud, outcome: { ...label('fraud'), note: 'again' } }, 90),
    ).toBeNull();
    expect(qualityIncrement(v, { ...v, decision: 'review' }, 90)).toBeNull(); // unlabelled: no quality count
    expect(qualityIncrement(null, v, 90)).toBeNull();
  });

  it('counts a review as a label (reject = fraud, approve = legit) unless an outcome says otherwise', () => {
    expect(qualityIncrement(v, { ...v, review: review('reject') }, 90)?.counts).toEqual({
      lbl_auth0_allow_fraud: 1,
    });
    const rejected = { ...v, review: review('reject') };
    expect(qualityIncrement(rejected, { ...rejected, outcome: label('legit') }, 90)?.counts).toEqual({
      lbl_auth0_allow_fraud: -1,
      lbl_auth0_allow_legit: 1,
    });
    const decided = { ...v, outcome: label('legit') };
    expect(qualityIncrement(decided, { ...decided, review: review('reject') }, 90)).toBeNull();
  });
});

/** Stores the counters of verdicts as the screening and the label routes write them. */
const counted = async (
  specs: Array<{ at: number; decision: Decision; source?: Source; outcome?: 'fraud' | 'legit' }>,
): Promise<Store> => {
  const store = createMemoryStore();
  for (const spec of specs) {
    const verdict = verdictAt(spec.at, spec.decision, spec.source ?? 'api');
    await store.counters.record(
      verdictIncrement({ verdict, expiresAt: Math.floor(spec.at / 1000) + 90 * 86_400 }),
    );
    if (spec.outcome) {
      const increment = qualityIncrement(verdict, { ...verdict, outcome: label(spec.outcome) }, 90);
      if (increment) await store.counters.record(increment);
    }
  }
  return store;
};

describe('readQuality', () => {
  it('answers totals, labels and the two shares for the last 30 days by default', async () => {
    const at = NOW - 2 * DAY;
    const store = await counted([
      // 10 known frauds: 9 caught (review or block), 1 allowed.
      ...Array.from({ length: 6 }, () => ({ at, decision: 'block' as const, outcome: 'fraud' as const })),
      ...Array.from({ length: 3 }, () => ({ at, decision: 'review' as const, outcome: 'fraud' as const })),
      { at, decision: 'allow', outcome: 'fraud' },
      // 4 known good users: 1 blocked.
      { at, decision: 'block', outcome: 'legit' },
      { at, decision: 'review', outcome: 'legit' },
      { at, decision: 'allow', outcome: 'legit' },
      { at, decision: 'allow', outcome: 'legit' },
      // Unlabelled verdicts count in the totals only; one outside the range not at all.
      { at, decision: 'allow' },
      { at, decision: 'allow' },
      { at: NOW - 31 * DAY, decision: 'block', outcome: 'fraud' },
    ]);
    const answer = await readQuality(store.counters, {}, NOW);
    expect(answer).toEqual({
      since: '2026-11-30T12:00:00.000Z',
      until: '2026-12-30T12:00:00.000Z',
      labelled: 14,
      by_decision: {
        allow: { total: 5, fraud: 1, legit: 2 },
        review: { total: 4, fraud: 3, legit: 1 },
        block: { total: 7, fraud: 6, legit: 1 },
      },
      fraud_caught: 0.9,
      legit_blocked: 0.25,
      by_source: { api: expect.objectContaining({ labelled: 14, fraud_caught: 0.9 }) },
    });
  });

  it('answers zeros and null shares for a range with nothing labelled, or nothing at all', async () => {
    const store = await counted([{ at: NOW - DAY, decision: 'block' }]);
    const unlabelled = await readQuality(store.counters, {}, NOW);
    expect(unlabelled).toMatchObject({ labelled: 0, fraud_caught: null, legit_blocked: null });
    expect(unlabelled.by_decision.block).toEqual({ total: 1, fraud: 0, legit: 0 });
    const empty = await readQuality(
      store.counters,
      { since: '2025-01-01T00:00:00.000Z', until: '2025-01-02T00:00:00.000Z' },
      NOW,
    );
    expect(empty).toEqual({
      since: '2025-01-01T00:00:00.000Z',
      until: '2025-01-02T00:00:00.000Z',
      labelled: 0,
      by_decision: {
        allow: { total: 0, fraud: 0, legit: 0 },
        review: { total: 0, fraud: 0, legit: 0 },
        block: { total: 0, fraud: 0, legit: 0 },
      },
      fraud_caught: null,
      legit_blocked: null,
      by_source: {},
    });
    // Only frauds labelled: legit_blocked stays null, and the reverse.
    const frauds = await counted([{ at: NOW - DAY, decision: 'allow', outcome: 'fraud' }]);
    expect(await readQuality(frauds.counters, {}, NOW)).toMatchObject({
      fraud_caught: 0,
      legit_blocked: null,
    });
  });

  it('answers per source, and for one source alone with source=', async () => {
    const at = NOW - DAY;
    const store = await counted([
      { at, decision: 'block', source: 'stripe', outcome: 'fraud' },
      { at, decision: 'allow', source: 'stripe', outcome: 'fraud' },
      { at, decision: 'block', source: 'auth0', outcome: 'legit' },
      { at, decision: 'allow', source: 'auth0' },
    ]);
    const all = await readQuality(store.counters, {}, NOW);
    expect(Object.keys(all.by_source).sort()).toEqual(['auth0', 'stripe']);
    expect(all.by_source.stripe).toMatchObject({ labelled: 2, fraud_caught: 0.5, legit_blocked: null });
    expect(all.by_source.auth0).toMatchObject({ labelled: 1, fraud_caught: null, legit_blocked: 1 });
    const stripe = await readQuality(store.counters, { source: 'stripe' }, NOW);
    expect(stripe).toMatchObject({ labelled: 2, fraud_caught: 0.5, legit_blocked: null });
    expect(stripe.by_decision.allow).toEqual({ total: 1, fraud: 1, legit: 0 });
    expect(Object.keys(stripe.by_source)).toEqual(['stripe']);
  });

  it('buckets by week (Monday 00:00 UTC) and by day, the range rounded out to whole buckets', async () => {
    const monday = Date.parse('2026-12-14T00:00:00.000Z');
    const store = await counted([
      { at: monday - 1, decision: 'block', outcome: 'fraud' }, // Sunday: the week before
      { at: monday, decision: 'allow', outcome: 'fraud' },
      { at: monday + 6 * DAY + 23 * 3_600_000, decision: 'block', outcome: 'legit' },
      { at: monday + 7 * DAY, decision: 'review', outcome: 'fraud' },
    ]);
    const weekly = await readQuality(
      store.counters,
      { since: '2026-12-10T15:00:00.000Z', until: '2026-12-22T00:00:00.000Z', bucket: 'week' },
      NOW,
    );
    expect(weekly.since).toBe('2026-12-07T00:00:00.000Z');
    expect(weekly.until).toBe('2026-12-28T00:00:00.000Z');
    expect(weekly.buckets?.map((b) => [b.start, b.labelled, b.fraud_caught, b.legit_blocked])).toEqual([
      ['2026-12-07T00:00:00.000Z', 1, 1, null],
      ['2026-12-14T00:00:00.000Z', 2, 0, 1],
      ['2026-12-21T00:00:00.000Z', 1, 1, null],
    ]);
    expect(weekly.labelled).toBe(4);
    const daily = await readQuality(
      store.counters,
      { since: '2026-12-14T00:00:00.000Z', until: '2026-12-16T00:00:00.000Z', bucket: 'day' },
      NOW,
    );
    expect(daily.buckets?.map((b) => [b.start, b.labelled])).toEqual([
      ['2026-12-14T00:00:00.000Z', 1],
      ['2026-12-15T00:00:00.000Z', 0],
    ]);
    expect(await readQuality(store.counters, {}, NOW)).not.toHaveProperty('buckets');
  });

  it('refuses a range that ends before it starts, or longer than 400 days', async () => {
    const store = createMemoryStore();
    await expect(
      readQuality(
        store.counters,
        { since: '2026-12-02T00:00:00.000Z', until: '2026-12-01T00:00:00.000Z' },
        NOW,
      ),
    ).rejects.toThrow('until must be after since');
    await expect(readQuality(store.counters, { since: '2025-01-01T00:00:00.000Z' }, NOW)).rejects.toThrow(
      'at most 400 days',
    );
  });
});
