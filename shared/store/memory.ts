/**
 * The in-memory store (unit tests, the benchmark's app-only runs, the wave test): every port over plain Maps of domain
 * records (stored verdicts, cached results, list entries, velocity identities, counters, markers), with the same
 * expiry, cursors, marker rules and listing order as the DynamoDB adapter, and none of its key shapes or items.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { isExpiredAt, toInstant } from '../core/time.js';
import type { VerdictRecord } from '../core/verdict.js';
import { LIST_ACTIONS } from '../core/vocabulary.js';
import {
  claimedMarker,
  claimOf,
  isMarkerClaimable,
  keptVerdictId,
  type MarkerRecord,
} from '../markers/state.js';
import { sameOutcome } from '../outcomes/labels.js';
import { callsIn, sumByHour } from '../stats/sums.js';
import { shardCountAfterAdd } from '../velocity/counts.js';
import {
  createdSortKey,
  decodeListCursor,
  encodeListCursor,
  type FetchPartition,
  type IndexPartition,
  type ListedVerdict,
  listVerdicts,
  matchesFilters,
  partitionOf,
  type QueryPlan,
} from './cursor.js';
import { memoryPolicies } from './memory-policies.js';
import type {
  CachedResult,
  CounterRepository,
  ListKey,
  ListRepository,
  MarkerRepository,
  PendingRescreen,
  RescreenQueue,
  ScreeningReads,
  StatsCounts,
  Store,
  StoredListEntry,
  StoredVerdict,
  VerdictRepository,
} from './ports.js';
import { allShards, STATS_SHARDS, statsShardOf } from './shards.js';

export interface MemoryStoreOptions {
  /** Cursor signing secret; a random one per instance by default. */
  cursorKey?: string;
  /** Clock in epoch ms (tests move it). */
  now?: () => number;
}

/** A record and the epoch second after which it counts as gone (none: kept). */
interface Kept<T> {
  value: T;
  expiresAt: number | null;
}

/** The records of one store, by concern. */
interface Records {
  verdicts: Map<string, VerdictRecord>;
  cache: Map<string, Kept<CachedResult>>;
  entries: Map<string, Kept<StoredListEntry>>;
  /** Which entry a kind+value+action look-up finds. */
  lookups: Map<string, string>;
  /** Identities per velocity counter shard. */
  velocity: Map<string, Kept<Set<string>>>;
  /** Counters per stats shard and hour. */
  counters: Map<string, { hour: string; counts: StatsCounts }>;
  markers: Map<string, MarkerRecord>;
  /** Pending re-screens by verdict id. */
  rescreens: Map<string, PendingRescreen>;
}

/** Stored and returned values are copies, as a real store's are: no caller can change what is kept. */
const copy = <T>(value: T): T => structuredClone(value);

const descending = (a: { sortKey: string }, b: { sortKey: string }) =>
  a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0;

const samePartition = (a: IndexPartition | null, b: IndexPartition): boolean =>
  a !== null && a.value === b.value && a.shard === b.shard;

const storedOf = ({ verdict, emailHash, phoneHash, facts }: VerdictRecord): StoredVerdict =>
  copy({ verdict, emailHash, phoneHash, facts });

const memoryVerdicts = (records: Records, cursorKey: string, now: () => number): VerdictRepository => {
  const live = (verdictId: string): VerdictRecord | null => {
    const record = records.verdicts.get(verdictId);
    return record === undefined || isExpiredAt(record.expiresAt, now()) ? null : record;
  };
  const reader =
    (plan: QueryPlan): FetchPartition =>
    async (partition, range, need) => {
      const found: ListedVerdict[] = [];
      for (const record of records.verdicts.values()) {
        if (!samePartition(partitionOf(plan.index, record), partition)) continue;
        const sortKey = createdSortKey(record.verdict);
        if (range.from !== undefined && sortKey < range.from) continue;
        if (range.before !== undefined && sortKey >= range.before) continue;
        if (isExpiredAt(record.expiresAt, now()) || !matchesFilters(plan, record)) continue;
        found.push({ sortKey, verdict: record.verdict });
      }
      return found
        .sort(descending)
        .slice(0, need)
        .map(({ sortKey, verdict }) => ({ sortKey, verdict: copy(verdict) }));
    };
  return {
    async save(record) {
      records.verdicts.set(record.verdict.verdict_id, copy(record));
    },
    async get(verdictId) {
      const record = live(verdictId);
      return record === null ? null : copy(record.verdict);
    },
    async getStored(verdictId) {
      const record = live(verdictId);
      return record === null ? null : storedOf(record);
    },
    query: (query) => listVerdicts(cursorKey, query, reader),
    async listStored(range) {
      const since = toInstant(range.since, 'since');
      const until = toInstant(range.until, 'until');
      let inRange: Array<{ sortKey: string; record: VerdictRecord }> = [];
      for (const record of records.verdicts.values()) {
        const sortKey = createdSortKey(record.verdict);
        if (sortKey < since || sortKey >= until || isExpiredAt(record.expiresAt, now())) continue;
        inRange.push({ sortKey, record });
      }
      inRange.sort(descending);
      // With a source, only the newest `maxRead` of the range are read, as the DynamoDB adapter bounds its reads.
      const maxRead = range.maxRead ?? range.max;
      const cut = range.source !== undefined && inRange.length > maxRead;
      if (cut) inRange = inRange.slice(0, maxRead);
      const found = inRange.filter(
        ({ record }) => range.source === undefined || record.verdict.source === range.source,
      );
      return {
        records: found.slice(0, range.max).map(({ record }) => storedOf(record)),
        truncated: cut || found.length > range.max,
      };
    },
    async review(verdictId, review) {
      const record = live(verdictId);
      if (record === null) return null;
      const before = copy(record.verdict);
      record.verdict.review = copy(review);
      return { ...storedOf(record), before };
    },
    async label(verdictId, outcome) {
      const record = live(verdictId);
      if (record === null) return null;
      const before = copy(record.verdict);
      if (!sameOutcome(record.verdict.outcome, outcome)) record.verdict.outcome = copy(outcome);
      return { ...storedOf(record), before };
    },
    async idsMatching(match) {
      const found: Array<{ sortKey: string; id: string }> = [];
      for (const record of records.verdicts.values()) {
        if (isExpiredAt(record.expiresAt, now())) continue;
        const hash =
          match.kind === 'email'
            ? record.emailHash
            : match.kind === 'phone'
              ? record.phoneHash
              : (record.refHashes?.[match.kind] ?? null);
        if (hash === match.hash)
          found.push({ sortKey: createdSortKey(record.verdict), id: record.verdict.verdict_id });
      }
      return found.sort(descending).map(({ id }) => id);
    },
    async setEnforcement(verdictId, enforcement) {
      const record = live(verdictId);
      if (record === null) return null;
      record.verdict.enforcement = copy(enforcement);
      return storedOf(record);
    },
    async rescreen(before, after) {
      const record = live(before.verdict.verdict_id);
      if (record === null || record.verdict.rescreen?.status !== 'pending') return null;
      if (before.verdict.review === null && record.verdict.review !== null) return null;
      record.verdict = { ...copy(after.verdict), review: record.verdict.review };
      record.facts = copy(after.facts);
      return storedOf(record);
    },
  };
};

const lookupKey = (key: ListKey, action: string): string => `${key.kind}\n${key.valueKey}\n${action}`;
const velocityKey = (counter: string, shard: number): string => `${counter}\n${shard}`;
const counterKey = (shard: number, hour: string): string => `${shard}\n${hour}`;

/** The live entry a look-up finds, if any. */
const liveEntry = (
  records: Records,
  key: ListKey,
  action: string,
  nowMs: number,
): Kept<StoredListEntry> | null => {
  const entryId = records.lookups.get(lookupKey(key, action));
  const kept = entryId === undefined ? undefined : records.entries.get(entryId);
  return kept === undefined || isExpiredAt(kept.expiresAt, nowMs) ? null : kept;
};

const memoryScreening = (records: Records, now: () => number): ScreeningReads => {
  const liveIds = (counter: string, shard: number): Set<string> => {
    const kept = records.velocity.get(velocityKey(counter, shard));
    return kept === undefined || isExpiredAt(kept.expiresAt, now()) ? new Set() : kept.value;
  };
  return {
    async prelude(request) {
      const nowMs = now();
      const cache = new Map<string, CachedResult>();
      for (const { kind, hash } of request.cache) {
        const kept = records.cache.get(`${kind}\n${hash}`);
        if (kept && !isExpiredAt(kept.expiresAt, nowMs)) cache.set(`${kind}:${hash}`, copy(kept.value));
      }
      const lists: StoredListEntry[] = [];
      for (const key of request.lists) {
        for (const action of LIST_ACTIONS) {
          const kept = liveEntry(records, key, action, nowMs);
          if (kept) lists.push(copy(kept.value));
        }
      }
      const velocity = request.velocity.map((count) => {
        const ids = liveIds(count.counter, count.shard);
        let mine = { count: count.shardCap, added: false };
        if (ids.size < count.shardCap || ids.has(count.identity)) {
          mine = shardCountAfterAdd(ids, count.identity);
          ids.add(count.identity);
          records.velocity.set(velocityKey(count.counter, count.shard), {
            value: ids,
            expiresAt: count.expiresAt,
          });
        }
        const others = allShards(count.shards)
          .filter((shard) => shard !== count.shard)
          .reduce((sum, shard) => sum + liveIds(count.counter, shard).size, 0);
        return { count: mine.count + others, added: mine.added };
      });
      const { spendHour } = request;
      const spendCalls = spendHour
        ? callsIn(
            allShards(STATS_SHARDS).map(
              (shard) => records.counters.get(counterKey(shard, spendHour))?.counts,
            ),
          )
        : null;
      return { cache, lists, velocity, spendCalls };
    },
    async forgetVelocity(count) {
      records.velocity.get(velocityKey(count.counter, count.shard))?.value.delete(count.identity);
    },
    async putCachedResult(kind, hash, result, expiresAt) {
      records.cache.set(`${kind}\n${hash}`, { value: copy(result), expiresAt });
    },
  };
};

const memoryLists = (records: Records, cursorKey: string, now: () => number): ListRepository => {
  const get = (entryId: string): StoredListEntry | null => {
    const kept = records.entries.get(entryId);
    return kept === undefined || isExpiredAt(kept.expiresAt, now()) ? null : kept.value;
  };
  return {
    async put(stored, expiresAtSec) {
      const { entry } = stored;
      const key = { kind: entry.kind, valueKey: stored.valueKey };
      const existing = liveEntry(records, key, entry.action, now());
      if (existing) return { entry: copy(existing.value.entry), created: false };
      records.entries.set(entry.entry_id, { value: copy(stored), expiresAt: expiresAtSec });
      records.lookups.set(lookupKey(key, entry.action), entry.entry_id);
      return { entry: copy(entry), created: true };
    },
    get: async (entryId) => {
      const stored = get(entryId);
      return stored === null ? null : copy(stored);
    },
    async delete(entryId) {
      const stored = get(entryId);
      if (stored === null) return false;
      const lookup = lookupKey({ kind: stored.entry.kind, valueKey: stored.valueKey }, stored.entry.action);
      if (records.lookups.get(lookup) === entryId) records.lookups.delete(lookup);
      records.entries.delete(entryId);
      return true;
    },
    async query(query) {
      const before = decodeListCursor(cursorKey, query);
      const entries = [...records.entries.keys()]
        .map(get)
        .flatMap((stored) => (stored === null ? [] : [stored.entry]))
        .filter(
          (entry) =>
            (before === undefined || entry.entry_id < before) &&
            (!query.kind || entry.kind === query.kind) &&
            (!query.action || entry.action === query.action),
        )
        .sort((a, b) => (a.entry_id < b.entry_id ? 1 : a.entry_id > b.entry_id ? -1 : 0));
      const items = entries.slice(0, query.limit).map(copy);
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          entries.length > query.limit && last ? encodeListCursor(cursorKey, query, last.entry_id) : null,
      };
    },
  };
};

const memoryMarkers = (records: Records, now: () => number): MarkerRepository => {
  const keyOf = (scope: string, key: string) => `${scope}\n${key}`;
  const held = (scope: string, key: string, token: string | null): MarkerRecord | null => {
    const marker = records.markers.get(keyOf(scope, key));
    return marker === undefined || (token !== null && marker.lockToken !== token) ? null : marker;
  };
  return {
    async claim(request) {
      const nowMs = now();
      const current = records.markers.get(keyOf(request.scope, request.key));
      if (current !== undefined && !isMarkerClaimable(current, nowMs, request.reopen))
        return claimOf(current);
      const token = randomUUID();
      const verdictId = keptVerdictId(current, nowMs) ?? request.verdictId;
      records.markers.set(keyOf(request.scope, request.key), claimedMarker(request, nowMs, token, verdictId));
      return { state: 'claimed', token, verdictId, resumed: verdictId !== request.verdictId };
    },
    async complete(scope, key, token, verdictId, writeBack) {
      const marker = held(scope, key, token);
      if (marker === null) return false;
      marker.state = 'done';
      marker.verdictId = verdictId;
      if (writeBack !== undefined) marker.writeBack = writeBack;
      return true;
    },
    async setWriteBack(scope, key, writeBack) {
      const marker = held(scope, key, null);
      if (marker !== null) marker.writeBack = writeBack;
    },
    async release(scope, key, token) {
      if (held(scope, key, token) !== null) records.markers.delete(keyOf(scope, key));
    },
    async lapse(scope, key, token) {
      const marker = held(scope, key, token);
      if (marker === null) return;
      marker.state = 'in_progress';
      marker.lockUntil = 0;
      marker.writeBack = undefined;
    },
  };
};

const memoryCounters = (records: Records): CounterRepository => ({
  async record(increment) {
    const changes = Object.entries(increment.counts).filter(([, value]) => value !== 0);
    if (changes.length === 0) return;
    const key = counterKey(statsShardOf(increment.shardSeed), increment.hour);
    const row = records.counters.get(key) ?? { hour: increment.hour, counts: {} };
    for (const [name, value] of changes) row.counts[name] = (row.counts[name] ?? 0) + value;
    records.counters.set(key, row);
  },
  read: async (sinceHour, untilHour) => copy(sumByHour(records.counters.values(), sinceHour, untilHour)),
});

/** Pending re-screens, the longest-waiting due first (as the DynamoDB adapter's shards merged). */
const memoryRescreenQueue = (records: Records, now: () => number): RescreenQueue => {
  const live = (verdictId: string): PendingRescreen | null => {
    const pending = records.rescreens.get(verdictId);
    return pending === undefined || isExpiredAt(pending.expiresAt, now()) ? null : pending;
  };
  return {
    async enqueue(pending) {
      records.rescreens.set(pending.verdictId, copy(pending));
    },
    async get(verdictId) {
      const pending = live(verdictId);
      return pending === null ? null : copy(pending);
    },
    async due(nowMs, limit) {
      return [...records.rescreens.values()]
        .filter((pending) => pending.dueAt <= nowMs && live(pending.verdictId) !== null)
        .sort((a, b) => a.dueAt - b.dueAt || (a.verdictId < b.verdictId ? -1 : 1))
        .slice(0, Math.max(limit, 0))
        .map(copy);
    },
    async reschedule(verdictId, dueAt, attempts) {
      const pending = records.rescreens.get(verdictId);
      if (pending === undefined) return false;
      records.rescreens.set(verdictId, { ...pending, dueAt, attempts });
      return true;
    },
    async finish(verdictId) {
      records.rescreens.delete(verdictId);
    },
  };
};

/** Every port over one set of in-memory records. */
export const createMemoryStore = (options: MemoryStoreOptions = {}): Store => {
  const cursorKey = options.cursorKey ?? randomBytes(32).toString('base64url');
  const now = options.now ?? Date.now;
  const records: Records = {
    verdicts: new Map(),
    cache: new Map(),
    entries: new Map(),
    lookups: new Map(),
    velocity: new Map(),
    counters: new Map(),
    markers: new Map(),
    rescreens: new Map(),
  };
  return {
    verdicts: memoryVerdicts(records, cursorKey, now),
    screening: memoryScreening(records, now),
    lists: memoryLists(records, cursorKey, now),
    markers: memoryMarkers(records, now),
    counters: memoryCounters(records),
    rescreen: memoryRescreenQueue(records, now),
    policies: memoryPolicies(),
  };
};
