/**
 * Velocity (docs/waves.md), the pure part: which counters a screening adds its identity to (client IP, mailbox,
 * email domain, keyed by keyed hashes, in fixed windows aligned to the epoch) and which thresholds the counts reach.
 */

import type { VelocityHit } from '../core/verdict.js';
import { type KeyedHasher, VELOCITY_KEYS, type VelocityKey } from '../core/vocabulary.js';
import { emailDomain, mailboxOf } from '../policy/identifiers.js';
import type { ResolvedPolicy, VelocityThresholds } from '../policy/schema.js';
import type { VelocityCount, VelocityResult } from '../store/ports.js';
import { hexShard, velocityShardsFor } from '../store/shards.js';

/** What velocity needs of a screening: normalised values (memory only) and the screened identity's keyed hash. */
export interface VelocitySubject {
  email: string | null;
  ip: string | null;
  /** The keyed hash of the email, else of the phone; null when neither is valid (nothing is counted). */
  identityHash: string | null;
}

export interface VelocityPlan {
  counts: VelocityCount[];
  /** Parallel to `counts`: which key and thresholds each one is. */
  keys: Array<{ key: VelocityKey; thresholds: VelocityThresholds }>;
}

/** Stored identities are the first 64 bits of the keyed hash: plenty to tell a wave's signups apart. */
const IDENTITY_HEX = 16;

/**
 * How many identities one shard keeps: twice its fair share of the highest threshold (identities spread evenly
 * over the shards, so the count reaches the threshold well before any shard fills), and never fewer than 16. A
 * full shard stops growing: the count then reads the shard as full, a slight undercount only under a very uneven
 * spread. With the largest allowed threshold (1,000) a shard holds at most 250 identities, about 5 KB: an add
 * costs ≤ 5 write units and a wave of 1,000 signups/s on one key puts ≤ ~650 WCU/s on each shard's partition.
 */
export const shardCapFor = (threshold: number, shards: number): number =>
  Math.max(16, Math.ceil((2 * threshold) / shards));
/** Counters outlive their window a little, so a late read never sees a half-expired window. */
const EXPIRY_MARGIN_S = 60;

/** The epoch-aligned window containing `nowMs`: its start (ms) and length (ms). */
export const velocityWindow = (windowMinutes: number, nowMs: number): { start: number; length: number } => {
  const length = windowMinutes * 60_000;
  return { start: Math.floor(nowMs / length) * length, length };
};

/** The counters to add the screening to; keys whose thresholds are both null (off) or whose value is absent are left out. */
export const planVelocity = (
  policy: ResolvedPolicy,
  hash: KeyedHasher,
  subject: VelocitySubject,
  nowMs: number,
): VelocityPlan => {
  const plan: VelocityPlan = { counts: [], keys: [] };
  if (subject.identityHash === null) return plan;
  const identity = subject.identityHash.slice(0, IDENTITY_HEX);
  const window = velocityWindow(policy.velocity.window_minutes, nowMs);
  const values: Record<VelocityKey, string | null> = {
    ip: subject.ip === null ? null : hash('ip', subject.ip),
    mailbox: subject.email === null ? null : hash('mailbox', mailboxOf(subject.email)),
    email_domain: subject.email === null ? null : hash('email_domain', emailDomain(subject.email)),
  };
  for (const key of VELOCITY_KEYS) {
    const thresholds = policy.velocity[key];
    const value = values[key];
    const cap = Math.max(thresholds.review ?? 0, thresholds.block ?? 0);
    if (value === null || cap === 0) continue;
    const shards = velocityShardsFor(cap);
    plan.counts.push({
      counter: `${key}#${value}#${window.start / 60_000}`,
      identity,
      shard: hexShard(identity, shards),
      shards,
      shardCap: shardCapFor(cap, shards),
      expiresAt: Math.ceil((window.start + window.length) / 1000) + EXPIRY_MARGIN_S,
    });
    plan.keys.push({ key, thresholds });
  }
  return plan;
};

/**
 * The count a velocity add reports for its own shard: the identities it held before, plus one when ours was new
 * (`added`). The other shards' sizes are added to it.
 */
export const shardCountAfterAdd = (before: ReadonlySet<string>, identity: string): VelocityResult => {
  const added = !before.has(identity);
  return { count: before.size + (added ? 1 : 0), added };
};

/** The thresholds the counts reach; a count that could not be written (null) reaches none. */
export const velocityHits = (
  plan: VelocityPlan,
  results: ReadonlyArray<VelocityResult | null>,
): VelocityHit[] => {
  const hits: VelocityHit[] = [];
  plan.keys.forEach(({ key, thresholds }, i) => {
    const count = results[i]?.count;
    if (count === undefined) return;
    if (thresholds.block !== null && count >= thresholds.block) {
      hits.push({ key, count, threshold: thresholds.block, decision: 'block' });
    } else if (thresholds.review !== null && count >= thresholds.review) {
      hits.push({ key, count, threshold: thresholds.review, decision: 'review' });
    }
  });
  return hits;
};
