/** Velocity (docs/waves.md), the pure part: which counters a screening adds to, windows, caps, and the hits counts make. */
import { describe, expect, it } from 'vitest';
import { decide, decidedWithoutLevels, resolveForSource } from '../../shared/policy/decide.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { createHasher } from '../../shared/screening/hashing.js';
import { velocityShardsFor } from '../../shared/store/shards.js';
import { planVelocity, shardCapFor, velocityHits, velocityWindow } from '../../shared/velocity/counts.js';

const hash = createHasher('velocity-test-pepper-0123456789');
const policy = (file: unknown = {}) => resolveForSource(parsePolicy(file), 'auth0');
const subject = { email: 'j.o.e+x@gmail.com', ip: '203.0.113.7', identityHash: 'ab'.repeat(32) };
const NOW = Date.parse('2026-11-30T10:17:42.000Z');

describe('shardCapFor', () => {
  it('keeps a shard small whatever the threshold: 16 at least, twice the fair share of the threshold', () => {
    expect(shardCapFor(30, 8)).toBe(16);
    expect(shardCapFor(100, 8)).toBe(25);
    expect(shardCapFor(1_000, 8)).toBe(250);
  });
});

describe('velocityShardsFor', () => {
  it('gives a counter the fewest shards that keep a full shard within its write budget: 2, 4 or 8', () => {
    expect([1, 10, 30, 50, 51, 200, 201, 1_000].map(velocityShardsFor)).toEqual([2, 2, 2, 2, 4, 4, 8, 8]);
    // The largest shard each count gives: under 1 KB with 2 shards, under 2 KB with 4, 250 identities with 8.
    expect(shardCapFor(50, velocityShardsFor(50))).toBe(50);
    expect(shardCapFor(200, velocityShardsFor(200))).toBe(100);
    expect(shardCapFor(1_000, velocityShardsFor(1_000))).toBe(250);
  });
});

describe('planVelocity', () => {
  it('adds the identity to the IP and mailbox counters by default (the domain counter is off)', () => {
    const plan = planVelocity(policy(), hash, subject, NOW);
    expect(plan.keys.map((k) => k.key)).toEqual(['ip', 'mailbox']);
    const [ip, mailbox] = plan.counts;
    expect(ip!.counter).toBe(
      `ip#${hash('ip', '203.0.113.7')}#${Date.parse('2026-11-30T10:00:00.000Z') / 60_000}`,
    );
    expect(mailbox!.counter.startsWith(`mailbox#${hash('mailbox', 'joe@gmail.com')}#`)).toBe(true);
    expect(ip!.identity).toBe('ab'.repeat(8));
    // Two shards each for the default thresholds (IP 30, mailbox 10): one other shard to read per key.
    expect([ip!.shards, mailbox!.shards]).toEqual([2, 2]);
    expect(ip!.shard).toBe(0xab % 2);
    // Twice a shard's fair share of the highest threshold, at least 16: small thresholds are counted exactly.
    expect(ip!.shardCap).toBe(30);
    expect(mailbox!.shardCap).toBe(16);
    expect(ip!.expiresAt).toBe(Date.parse('2026-11-30T11:00:00.000Z') / 1000 + 60);
    expect(JSON.stringify(plan)).not.toContain('203.0.113.7');
    expect(JSON.stringify(plan)).not.toContain('joe');
  });

  it('aligns windows to multiples of window_minutes since the epoch', () => {
    expect(velocityWindow(15, NOW).start).toBe(Date.parse('2026-11-30T10:15:00.000Z'));
    expect(velocityWindow(60, NOW).start).toBe(Date.parse('2026-11-30T10:00:00.000Z'));
    expect(velocityWindow(1440, NOW).start).toBe(Date.parse('2026-11-30T00:00:00.000Z'));
  });

  it('counts nothing without an identity, and leaves out keys that are off or absent', () => {
    expect(planVelocity(policy(), hash, { ...subject, identityHash: null }, NOW).counts).toEqual([]);
    const noIp = planVelocity(policy(), hash, { ...subject, ip: null }, NOW);
    expect(noIp.keys.map((k) => k.key)).toEqual(['mailbox']);
    const phoneOnly = planVelocity(
      policy(),
      hash,
      { email: null, ip: '203.0.113.7', identityHash: 'cd'.repeat(32) },
      NOW,
    );
    expect(phoneOnly.keys.map((k) => k.key)).toEqual(['ip']);
    const all = planVelocity(policy({ velocity: { email_domain: { block: 500 } } }), hash, subject, NOW);
    expect(all.keys.map((k) => k.key)).toEqual(['ip', 'mailbox', 'email_domain']);
    expect(all.counts[2]!.shards).toBe(8);
    expect(all.counts[2]!.shardCap).toBe(125);
  });

  it('turns counts into review and block hits at their thresholds; an unwritten count hits nothing', () => {
    const plan = planVelocity(policy(), hash, subject, NOW);
    expect(
      velocityHits(plan, [
        { count: 9, added: true },
        { count: 2, added: true },
      ]),
    ).toEqual([]);
    expect(
      velocityHits(plan, [
        { count: 10, added: true },
        { count: 3, added: true },
      ]),
    ).toEqual([
      { key: 'ip', count: 10, threshold: 10, decision: 'review' },
      { key: 'mailbox', count: 3, threshold: 3, decision: 'review' },
    ]);
    expect(velocityHits(plan, [{ count: 30, added: false }, null])).toEqual([
      { key: 'ip', count: 30, threshold: 30, decision: 'block' },
    ]);
  });
});

describe('decide with velocity', () => {
  const p = policy();
  const low = { status: 'result', riskLevel: 'low' } as const;

  it('blocks at a block threshold, without looking at the identifiers', () => {
    const outcome = decide(
      p,
      'auth0',
      { status: 'skipped' },
      { status: 'absent' },
      {
        velocity: [{ key: 'ip', count: 31, threshold: 30, decision: 'block' }],
      },
    );
    expect(outcome).toEqual({
      decision: 'block',
      degraded: false,
      reasons: [
        {
          code: 'velocity',
          message:
            '31 distinct signups from this IP in the current 60-minute window reach the block threshold (30)',
        },
      ],
    });
  });

  it('makes a clean low at least review at a review threshold, and an allow list still wins', () => {
    const review = [{ key: 'mailbox' as const, count: 3, threshold: 3, decision: 'review' as const }];
    expect(decide(p, 'auth0', low, { status: 'absent' }, { velocity: review }).decision).toBe('review');
    expect(
      decide(
        p,
        'auth0',
        { status: 'listed', list: 'allow' },
        { status: 'absent' },
        {
          velocity: [{ key: 'ip', count: 99, threshold: 30, decision: 'block' }],
        },
      ).decision,
    ).toBe('allow');
  });

  it('decides a spend-limited identifier by spend.on_exhausted, degraded, reason spend_limit', () => {
    const outcome = decide(
      policy({ spend: { max_defastra_calls_per_hour: 5, on_exhausted: 'block' } }),
      'auth0',
      {
        status: 'spend_limited',
      },
      { status: 'absent' },
    );
    expect(outcome.decision).toBe('block');
    expect(outcome.degraded).toBe(true);
    expect(outcome.reasons.map((r) => r.code)).toEqual(['spend_limit']);
    expect(outcome.reasons[0]!.message).toContain('5 calls per hour');
  });
});

describe('decidedWithoutLevels', () => {
  it('is true for any list hit or a velocity block, false for a velocity review or nothing', () => {
    expect(decidedWithoutLevels({})).toBe(false);
    expect(decidedWithoutLevels({ lists: [{ subject: 'ip', list: 'allow', entryId: 'E' }] })).toBe(true);
    expect(decidedWithoutLevels({ lists: [{ subject: 'email_domain', list: 'block' }] })).toBe(true);
    expect(
      decidedWithoutLevels({ velocity: [{ key: 'ip', count: 10, threshold: 10, decision: 'review' }] }),
    ).toBe(false);
    expect(
      decidedWithoutLevels({ velocity: [{ key: 'mailbox', count: 10, threshold: 10, decision: 'block' }] }),
    ).toBe(true);
  });
});
