/**
 * Counts the writes a store's ports would make in DynamoDB, per partition key value of the table and of each index,
 * using the DynamoDB adapter's own key and item functions: for tests that run many screenings on the in-memory store
 * (dynalite would take minutes for a wave) yet check how the table's keys spread them. Each port call that writes an
 * item counts as DynamoDB bills it: a velocity add on a full shard too (a failed conditional write is still a write
 * request), a marker claim or completion only when it took effect, a statistics update only when it adds something.
 */
import { refLookupItems, verdictToItem } from '../../shared/store/dynamo/codec.js';
import { cacheKey, type Item, markerKey, statsKey, velocityKey } from '../../shared/store/dynamo/keys.js';
import { TABLE_INDEXES, TABLE_KEYS } from '../../shared/store/dynamo/layout.js';
import type { Store, StoredVerdict } from '../../shared/store/ports.js';
import { statsShardOf } from '../../shared/store/shards.js';

/** Writes per space (`table` or an index name), per partition key value. */
export type Writes = Map<string, Map<string, number>>;

export interface CountedStore {
  store: Store;
  writes: Writes;
  /** The most identities any velocity counter shard held after a write: its size, hence the units an add costs. */
  largestVelocityShard(): number;
}

/** The same store, with every item write it makes counted by partition key value. */
export const countingDynamoWrites = (inner: Store): CountedStore => {
  const writes: Writes = new Map();
  const shards = new Map<string, Set<string>>();
  let largest = 0;
  const count = (space: string, value: string) => {
    const values = writes.get(space) ?? new Map<string, number>();
    values.set(value, (values.get(value) ?? 0) + 1);
    writes.set(space, values);
  };
  const written = (item: Item) => {
    const pk = item[TABLE_KEYS.partitionKey];
    if (pk && 'S' in pk && pk.S) count('table', pk.S);
    for (const index of Object.values(TABLE_INDEXES)) {
      const key = item[index.partitionKey];
      if (key && 'S' in key && key.S) count(index.name, key.S);
    }
  };
  const verdictWritten = (stored: StoredVerdict) => written(verdictToItem({ ...stored, expiresAt: 0 }));
  const store: Store = {
    ...inner,
    verdicts: {
      ...inner.verdicts,
      async save(record) {
        await inner.verdicts.save(record);
        for (const item of [verdictToItem(record), ...refLookupItems(record)]) written(item);
      },
      async review(verdictId, review) {
        const after = await inner.verdicts.review(verdictId, review);
        if (after) verdictWritten(after);
        return after;
      },
    },
    screening: {
      ...inner.screening,
      async prelude(request) {
        const result = await inner.screening.prelude(request);
        request.velocity.forEach((velocity, i) => {
          const name = `${velocity.counter}#${velocity.shard}`;
          const ids = shards.get(name) ?? new Set<string>();
          if (result.velocity[i]?.added) ids.add(velocity.identity);
          shards.set(name, ids);
          largest = Math.max(largest, ids.size);
          written(velocityKey(velocity.counter, velocity.shard));
        });
        return result;
      },
      async forgetVelocity(velocity) {
        await inner.screening.forgetVelocity(velocity);
        shards.get(`${velocity.counter}#${velocity.shard}`)?.delete(velocity.identity);
        written(velocityKey(velocity.counter, velocity.shard));
      },
      async putCachedResult(kind, hash, result, expiresAt) {
        await inner.screening.putCachedResult(kind, hash, result, expiresAt);
        written(cacheKey(kind, hash));
      },
    },
    counters: {
      ...inner.counters,
      async record(increment) {
        await inner.counters.record(increment);
        if (Object.values(increment.counts).some((value) => value !== 0)) {
          written(statsKey(statsShardOf(increment.shardSeed), increment.hour));
        }
      },
    },
    markers: {
      ...inner.markers,
      async claim(request) {
        const claim = await inner.markers.claim(request);
        if (claim.state === 'claimed') written(markerKey(request.scope, request.key));
        return claim;
      },
      async complete(scope, key, token, verdictId, writeBack) {
        const held = await inner.markers.complete(scope, key, token, verdictId, writeBack);
        if (held) written(markerKey(scope, key));
        return held;
      },
      async setWriteBack(scope, key, writeBack) {
        await inner.markers.setWriteBack(scope, key, writeBack);
        written(markerKey(scope, key));
      },
    },
  };
  return { store, writes, largestVelocityShard: () => largest };
};
