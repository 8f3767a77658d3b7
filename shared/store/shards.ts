/**
 * Write sharding (docs/capacity.md): how many partitions each hot key family is spread over, and the shard
 * of an item. DynamoDB gives one partition about 1,000 write units per second; 16 shards keep a wave of 1,000
 * screenings per second at ~60 writes per second per partition key value.
 */

/** Shards of the `by_time`, `by_decision` and `by_review` index partitions. */
export const VERDICT_SHARDS = 16;
/** Shards of each hour's statistics counters. */
export const STATS_SHARDS = 16;
/** The most shards a velocity counter (one IP, mailbox or domain in one window) has. */
export const VELOCITY_SHARDS = 8;

/**
 * Shards of a velocity counter, from its highest threshold: the fewest that keep a wave of 1,000 adds per second on
 * one key within about 650 write units per second on each shard's partition, every add being billed on its whole
 * shard item (which holds at most `shardCapFor(threshold, shards)` identities, velocity/counts.ts): 2 up to a
 * threshold of 50 (a full shard is under 1 KB: 500 adds/s × 1 unit), 4 up to 200 (under 2 KB: 250 × 2), 8 above
 * (at most 250 identities, about 4 KB: 125 × 5). Every screening reads the other shards, one read unit each, so the
 * fewer the cheaper.
 */
export const velocityShardsFor = (threshold: number): number =>
  threshold <= 50 ? 2 : threshold <= 200 ? 4 : VELOCITY_SHARDS;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The shard of a verdict: from the last (random) character of its ULID, so it is stable and uniform. */
export const verdictShard = (verdictId: string, shards = VERDICT_SHARDS): number => {
  const value = CROCKFORD.indexOf(verdictId.slice(-1).toUpperCase());
  return Math.max(value, 0) % shards;
};

/** A shard from hex text (a keyed hash): its first two hex digits, modulo `shards`. */
export const hexShard = (hex: string, shards: number): number => {
  const value = Number.parseInt(hex.slice(0, 2), 16);
  return (Number.isFinite(value) ? value : 0) % shards;
};

/** Every shard number, for reads that merge them. */
export const allShards = (shards: number): number[] => Array.from({ length: shards }, (_v, i) => i);

/** The statistics shard an increment goes to: spread by its seed (a verdict id), so no hour's counter takes every write. */
export const statsShardOf = (seed: string): number => {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return hexShard(h.toString(16).padStart(2, '0'), STATS_SHARDS);
};
