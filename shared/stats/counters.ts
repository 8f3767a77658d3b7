/**
 * Statistics (docs/reviews.md), the write side: what one new verdict adds to its hour's counters, from the stored
 * record alone, so the same increment can be written on the request path or off it (the change feed, the stream).
 */
import type { Verdict, VerdictRecord } from '../core/verdict.js';
import type { StatsIncrement } from '../store/ports.js';

/** The counter of Defastra calls (what the hourly spend cap totals). */
export const DEFASTRA_CALLS = 'defastra_calls';

/** The per-source counters are named `src_<source>_<decision>`; the others after the bucket fields they feed. */
export const sourceCounter = (source: string, decision: string): string => `src_${source}_${decision}`;

/** The counter of live × shadow decisions (`shadow_<live>_<shadow>`), kept while a shadow policy is set. */
export const shadowCounter = (live: string, shadow: string): string => `shadow_${live}_${shadow}`;

/** The UTC hour containing `ms`, as an ISO instant. */
export const hourOf = (ms: number): string => new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString();

/**
 * What a verdict's screening cost, as the verdict shows it: Defastra answers it asked for (`cached: false`, billed)
 * and answers it reused (`cached: true`: the cache, or a call another screening had in flight). Errors are free.
 */
export const usageOf = (verdict: Pick<Verdict, 'email' | 'phone'>): { calls: number; cacheHits: number } => {
  const usage = { calls: 0, cacheHits: 0 };
  for (const outcome of [verdict.email, verdict.phone]) {
    if (outcome?.risk_level === undefined) continue;
    if (outcome.cached) usage.cacheHits++;
    else usage.calls++;
  }
  return usage;
};

/**
 * The increment of one new verdict: in the hour it was created, kept as long as the verdict. A function of the
 * stored record only, so the change feed and the table's stream compute what the screening would have.
 */
export const verdictIncrement = (record: Pick<VerdictRecord, 'verdict' | 'expiresAt'>): StatsIncrement => {
  const { verdict } = record;
  const usage = usageOf(verdict);
  const codes = new Set(verdict.reasons.map((reason) => reason.code));
  return {
    hour: hourOf(Date.parse(verdict.created_at)),
    shardSeed: verdict.verdict_id,
    counts: {
      [verdict.decision]: 1,
      [sourceCounter(verdict.source, verdict.decision)]: 1,
      degraded: verdict.degraded ? 1 : 0,
      [DEFASTRA_CALLS]: usage.calls,
      cache_hits: usage.cacheHits,
      velocity: codes.has('velocity') ? 1 : 0,
      spend_limited: codes.has('spend_limit') ? 1 : 0,
      monitored: verdict.mode === 'monitor' ? 1 : 0,
      ...(verdict.shadow ? { [shadowCounter(verdict.decision, verdict.shadow.decision)]: 1 } : {}),
    },
    expiresAt: record.expiresAt,
  };
};

/** The increment for Defastra calls made by a screening that stored no verdict (Stripe's retryable failures). */
export const callsIncrement = (
  calls: number,
  seed: string,
  nowMs: number,
  retentionDays: number,
): StatsIncrement => ({
  hour: hourOf(nowMs),
  shardSeed: seed,
  counts: { [DEFASTRA_CALLS]: calls },
  expiresAt: Math.ceil(nowMs / 1000) + retentionDays * 86_400,
});
