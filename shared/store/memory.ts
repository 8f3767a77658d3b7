/**
 * In-memory VerdictStore (unit tests, the benchmark's app-only runs, the wave test): the DynamoDB adapter's items,
 * keys, cursors, markers and expiry, in a Map. `onWrite` sees every item write, as DynamoDB would bill it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ListEntry } from '../api/lists.js';
import type { Review, Verdict, VerdictRecord } from '../core/verdict.js';
import { type IdentifierKind, LIST_ACTIONS } from '../core/vocabulary.js';
import {
  decodeListCursor,
  encodeListCursor,
  type FetchPartition,
  type ListedVerdict,
  listVerdicts,
  type QueryPlan,
} from './cursor.js';
import { partitionKeyOf } from './dynamo/keys.js';
import { TABLE_INDEXES } from './dynamo/layout.js';
import {
  ATTR,
  addCounts,
  COUNTER_PREFIX,
  cachedToItem,
  cacheKey,
  type Item,
  isExpiredItem,
  isMarkerClaimable,
  itemToCached,
  itemToCounts,
  itemToMarker,
  itemToStoredListEntry,
  itemToStoredVerdict,
  itemToVerdict,
  LIST_INDEX_PARTITION,
  listEntryItem,
  listEntryKey,
  listLookupItem,
  listLookupKey,
  markerKey,
  markerToClaim,
  markerToItem,
  n,
  phonePartition,
  readString,
  readStringSet,
  reviewedAttributes,
  s,
  spendCallsIn,
  statsKey,
  statsPartition,
  sumByHour,
  toInstant,
  velocityKey,
  velocityShardCount,
  verdictKey,
  verdictToItem,
} from './memory-items.js';
import type {
  CachedResult,
  ClaimRequest,
  ListPage,
  ListQuery,
  MarkerClaim,
  MarkerScope,
  PreludeRequest,
  PreludeResult,
  StatsHour,
  StatsIncrement,
  Store,
  StoredListEntry,
  StoredVerdict,
  StoredVerdictList,
  StoredVerdictRange,
  VelocityCount,
  VelocityResult,
  VerdictPage,
  VerdictQuery,
  WriteBackState,
} from './ports.js';
import { allShards, STATS_SHARDS, statsShardOf } from './shards.js';

export interface MemoryVerdictStoreOptions {
  /** Cursor signing secret; a random one per instance by default. */
  cursorKey?: string;
  /** Clock in epoch ms (tests move it). */
  now?: () => number;
  /** Sees every item write (put, update, conditional update attempt) with the item as it is after the write. */
  onWrite?: (item: Item) => void;
}

const keyOf = (key: Item): string => `${readString(key, ATTR.pk) ?? ''}\n${readString(key, ATTR.sk) ?? ''}`;
const bySortKeyDesc = (a: { sortKey: string }, b: { sortKey: string }) =>
  a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0;

export class MemoryVerdictStore {
  /** Items by `pk\nsk`, in the same shape the DynamoDB adapter writes. */
  private readonly items = new Map<string, Item>();
  private readonly cursorKey: string;
  private readonly now: () => number;
  private readonly onWrite: ((item: Item) => void) | undefined;

  constructor(options: MemoryVerdictStoreOptions = {}) {
    this.cursorKey = options.cursorKey ?? randomBytes(32).toString('base64url');
    this.now = options.now ?? Date.now;
    this.onWrite = options.onWrite;
  }

  private write(item: Item): void {
    this.items.set(keyOf(item), item);
    this.onWrite?.(item);
  }

  /** The item under `key`, or null when absent or expired. */
  private live(key: Item): Item | null {
    const item = this.items.get(keyOf(key));
    return item === undefined || isExpiredItem(item, this.now()) ? null : item;
  }

  async saveVerdict(record: VerdictRecord): Promise<void> {
    this.write(verdictToItem(record));
  }

  async getVerdict(verdictId: string): Promise<Verdict | null> {
    const item = this.live(verdictKey(verdictId));
    return item === null ? null : itemToVerdict(item);
  }

  async getStoredVerdict(verdictId: string): Promise<StoredVerdict | null> {
    const item = this.live(verdictKey(verdictId));
    return item === null ? null : itemToStoredVerdict(item);
  }

  queryVerdicts(query: VerdictQuery): Promise<VerdictPage> {
    return listVerdicts(this.cursorKey, query, (plan) => this.partitionReader(plan));
  }

  async listStoredVerdicts(range: StoredVerdictRange): Promise<StoredVerdictList> {
    const since = toInstant(range.since, 'since');
    const until = toInstant(range.until, 'until');
    const found: Array<{ sortKey: string; item: Item }> = [];
    const nowMs = this.now();
    for (const item of this.items.values()) {
      const sortKey = readString(item, ATTR.createdSk);
      if (sortKey === undefined || !readString(item, ATTR.timePk) || isExpiredItem(item, nowMs)) continue;
      if (sortKey < since || sortKey >= until) continue;
      if (range.source !== undefined && readString(item, ATTR.source) !== range.source) continue;
      found.push({ sortKey, item });
    }
    found.sort(bySortKeyDesc);
    return {
      records: found.slice(0, range.max).map(({ item }) => itemToStoredVerdict(item)),
      truncated: found.length > range.max,
    };
  }

  async reviewVerdict(verdictId: string, review: Review): Promise<StoredVerdict | null> {
    const current = this.live(verdictKey(verdictId));
    if (current === null) return null;
    const { state, partition } = reviewedAttributes(verdictId, review);
    const updated: Item = {
      ...current,
      [ATTR.review]: s(JSON.stringify(review)),
      [ATTR.reviewState]: s(state),
      [ATTR.reviewPk]: s(partition),
    };
    this.write(updated);
    return itemToStoredVerdict(updated);
  }

  async prelude(request: PreludeRequest): Promise<PreludeResult> {
    const cache = new Map<string, CachedResult>();
    for (const { kind, hash } of request.cache) {
      const item = this.live(cacheKey(kind, hash));
      if (item) cache.set(`${kind}:${hash}`, itemToCached(item));
    }
    const lists: StoredListEntry[] = [];
    for (const key of request.lists) {
      for (const action of LIST_ACTIONS) {
        const item = this.live(listLookupKey(key, action));
        if (item) lists.push(itemToStoredListEntry(item));
      }
    }
    const velocity = request.velocity.map((count) => this.addToVelocity(count));
    const spendCalls = request.spendHour
      ? spendCallsIn((key) => this.items.get(keyOf(key)), request.spendHour)
      : null;
    return { cache, lists, velocity, spendCalls };
  }

  private addToVelocity(count: VelocityCount): VelocityResult {
    const key = velocityKey(count.counter, count.shard);
    const current = this.live(key) ?? undefined;
    const old = readStringSet(current, ATTR.ids);
    let mine: VelocityResult;
    if (old.length >= count.shardCap && !old.includes(count.identity)) {
      mine = { count: count.shardCap, added: false };
      this.onWrite?.({ ...key }); // a failed conditional write is still a write request on that key
    } else {
      mine = velocityShardCount(old, count.identity);
      const ids = mine.added ? [...old, count.identity] : old;
      this.write({ ...key, [ATTR.ids]: { SS: ids }, [ATTR.expiresAt]: n(count.expiresAt) });
    }
    let others = 0;
    for (const shard of allShards(count.shards)) {
      if (shard === count.shard) continue;
      others += readStringSet(this.live(velocityKey(count.counter, shard)) ?? undefined, ATTR.ids).length;
    }
    return { count: mine.count + others, added: mine.added };
  }

  async forgetVelocity(count: VelocityCount): Promise<void> {
    const key = velocityKey(count.counter, count.shard);
    const current = this.items.get(keyOf(key));
    if (current === undefined) return;
    const ids = readStringSet(current, ATTR.ids).filter((id) => id !== count.identity);
    this.write({ ...current, [ATTR.ids]: { SS: ids } });
  }

  async putCachedResult(
    kind: IdentifierKind,
    hash: string,
    result: CachedResult,
    expiresAt: number,
  ): Promise<void> {
    this.write(cachedToItem(kind, hash, result, expiresAt));
  }

  async recordStats(increment: StatsIncrement): Promise<void> {
    const key = statsKey(statsShardOf(increment.shardSeed), increment.hour);
    const current = this.items.get(keyOf(key)) ?? key;
    const counts = itemToCounts(current);
    addCounts(counts, increment.counts);
    const item: Item = { ...key, [ATTR.expiresAt]: n(increment.expiresAt) };
    for (const [name, value] of Object.entries(counts)) item[`${COUNTER_PREFIX}${name}`] = n(value);
    this.write(item);
  }

  async readStats(sinceHour: string, untilHour: string): Promise<StatsHour[]> {
    const partitions = new Set(allShards(STATS_SHARDS).map(statsPartition));
    const stats = [...this.items.values()].filter((item) => partitions.has(readString(item, ATTR.pk) ?? ''));
    return sumByHour(stats, sinceHour, untilHour);
  }

  async putListEntry(
    stored: StoredListEntry,
    expiresAtSec: number | null,
  ): Promise<{ entry: ListEntry; created: boolean }> {
    const { entry } = stored;
    const existing = this.live(listLookupKey({ kind: entry.kind, valueKey: stored.valueKey }, entry.action));
    if (existing) return { entry: itemToStoredListEntry(existing).entry, created: false };
    this.write(listEntryItem(stored, expiresAtSec));
    this.write(listLookupItem(stored, expiresAtSec));
    return { entry, created: true };
  }

  async getListEntry(entryId: string): Promise<StoredListEntry | null> {
    const item = this.live(listEntryKey(entryId));
    return item === null ? null : itemToStoredListEntry(item);
  }

  async deleteListEntry(entryId: string): Promise<boolean> {
    const stored = await this.getListEntry(entryId);
    if (stored === null) return false;
    const lookup = keyOf(
      listLookupKey({ kind: stored.entry.kind, valueKey: stored.valueKey }, stored.entry.action),
    );
    if (readString(this.items.get(lookup) ?? {}, ATTR.entryId) === entryId) this.items.delete(lookup);
    this.items.delete(keyOf(listEntryKey(entryId)));
    return true;
  }

  async queryListEntries(query: ListQuery): Promise<ListPage> {
    const before = decodeListCursor(this.cursorKey, query);
    const nowMs = this.now();
    const entries: ListEntry[] = [];
    for (const item of this.items.values()) {
      if (readString(item, ATTR.pk) !== LIST_INDEX_PARTITION || isExpiredItem(item, nowMs)) continue;
      const entry = itemToStoredListEntry(item).entry;
      if (before !== undefined && entry.entry_id >= before) continue;
      if (query.kind && entry.kind !== query.kind) continue;
      if (query.action && entry.action !== query.action) continue;
      entries.push(entry);
    }
    entries.sort((a, b) => (a.entry_id < b.entry_id ? 1 : a.entry_id > b.entry_id ? -1 : 0));
    const items = entries.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        entries.length > query.limit && last ? encodeListCursor(this.cursorKey, query, last.entry_id) : null,
    };
  }

  async claimMarker(request: ClaimRequest): Promise<MarkerClaim> {
    const nowMs = this.now();
    const current = this.items.get(keyOf(markerKey(request.scope, request.key)));
    if (current !== undefined) {
      const marker = itemToMarker(current);
      if (!isMarkerClaimable(marker, nowMs)) return markerToClaim(marker);
    }
    const token = randomUUID();
    this.write(markerToItem(request, nowMs, token));
    return { state: 'claimed', token };
  }

  async completeMarker(
    scope: MarkerScope,
    key: string,
    token: string,
    verdictId: string,
    writeBack?: WriteBackState,
  ): Promise<boolean> {
    return this.updateMarker(scope, key, token, {
      [ATTR.state]: s('done'),
      [ATTR.verdictId]: s(verdictId),
      ...(writeBack === undefined ? {} : { [ATTR.writeBack]: s(writeBack) }),
    });
  }

  async setWriteBack(scope: MarkerScope, key: string, writeBack: WriteBackState): Promise<void> {
    this.updateMarker(scope, key, null, { [ATTR.writeBack]: s(writeBack) });
  }

  async releaseMarker(scope: MarkerScope, key: string, token: string): Promise<void> {
    const pk = keyOf(markerKey(scope, key));
    const current = this.items.get(pk);
    if (current !== undefined && readString(current, ATTR.lockToken) === token) this.items.delete(pk);
  }

  private updateMarker(scope: MarkerScope, key: string, token: string | null, changes: Item): boolean {
    const current = this.items.get(keyOf(markerKey(scope, key)));
    if (current === undefined) return false;
    if (token !== null && readString(current, ATTR.lockToken) !== token) return false;
    this.write({ ...current, ...changes });
    return true;
  }

  private partitionReader(plan: QueryPlan): FetchPartition {
    const index = TABLE_INDEXES[plan.index];
    const { phoneHash, decision, source, review } = plan.filters;
    return async (partition, range, need) => {
      const nowMs = this.now();
      const found: ListedVerdict[] = [];
      for (const item of this.items.values()) {
        const sortKey = readString(item, index.sortKey);
        if (
          sortKey === undefined ||
          readString(item, index.partitionKey) !== partitionKeyOf(plan.index, partition)
        )
          continue;
        if (range.from !== undefined && sortKey < range.from) continue;
        if (range.before !== undefined && sortKey >= range.before) continue;
        if (isExpiredItem(item, nowMs)) continue;
        if (phoneHash !== undefined && readString(item, ATTR.phonePk) !== phonePartition(phoneHash)) continue;
        if (decision !== undefined && readString(item, ATTR.decision) !== decision) continue;
        if (source !== undefined && readString(item, ATTR.source) !== source) continue;
        if (review !== undefined && readString(item, ATTR.reviewState) !== review) continue;
        found.push({ sortKey, verdict: itemToVerdict(item) });
      }
      found.sort(bySortKeyDesc);
      return found.slice(0, need);
    };
  }
}

/** Every port over one in-memory store. */
export const createMemoryStore = (options: MemoryVerdictStoreOptions = {}): Store =>
  memoryStoreOf(new MemoryVerdictStore(options));

/** The ports of a MemoryVerdictStore. */
export const memoryStoreOf = (m: MemoryVerdictStore): Store => {
  return {
    verdicts: {
      save: (record) => m.saveVerdict(record),
      get: (id) => m.getVerdict(id),
      getStored: (id) => m.getStoredVerdict(id),
      query: (query) => m.queryVerdicts(query),
      listStored: (range) => m.listStoredVerdicts(range),
      review: (id, review) => m.reviewVerdict(id, review),
    },
    screening: {
      prelude: (request) => m.prelude(request),
      forgetVelocity: (count) => m.forgetVelocity(count),
      putCachedResult: (kind, hash, result, expiresAt) => m.putCachedResult(kind, hash, result, expiresAt),
    },
    lists: {
      put: (entry, expiresAtSec) => m.putListEntry(entry, expiresAtSec),
      get: (id) => m.getListEntry(id),
      delete: (id) => m.deleteListEntry(id),
      query: (query) => m.queryListEntries(query),
    },
    markers: {
      claim: (request) => m.claimMarker(request),
      complete: (scope, key, token, verdictId, writeBack) =>
        m.completeMarker(scope, key, token, verdictId, writeBack),
      setWriteBack: (scope, key, writeBack) => m.setWriteBack(scope, key, writeBack),
      release: (scope, key, token) => m.releaseMarker(scope, key, token),
    },
    counters: {
      record: (increment) => m.recordStats(increment),
      read: (since, until) => m.readStats(since, until),
    },
  };
};
