/** In-memory VerdictStore for unit tests: the DynamoDB adapter's items, keys, cursors, markers and expiry, in a Map. */
import { randomBytes } from 'node:crypto';
import type { CheckKind } from '../defastra/types.js';
import type { Verdict, VerdictRecord } from '../screening/verdict.js';
import { type FetchPartition, type ListedVerdict, listVerdicts, type QueryPlan } from './cursor.js';
import {
  ATTR,
  cachedToItem,
  cacheKey,
  type Item,
  isExpiredItem,
  isMarkerClaimable,
  itemToCached,
  itemToMarker,
  itemToVerdict,
  markerKey,
  markerToClaim,
  markerToItem,
  phonePartition,
  readString,
  verdictKey,
  verdictToItem,
} from './items.js';
import type {
  CachedResult,
  ClaimRequest,
  MarkerClaim,
  MarkerScope,
  VerdictPage,
  VerdictQuery,
  VerdictStore,
  WriteBackState,
} from './port.js';
import { TABLE_INDEXES } from './table.js';

export interface MemoryVerdictStoreOptions {
  /** Cursor signing secret; a random one per instance by default. */
  cursorKey?: string;
  /** Clock in epoch ms (tests move it). */
  now?: () => number;
}

const keyOf = (key: Item): string => readString(key, ATTR.pk) ?? '';

export class MemoryVerdictStore implements VerdictStore {
  /** Items by partition key, in the same shape the DynamoDB adapter writes. */
  private readonly items = new Map<string, Item>();
  private readonly cursorKey: string;
  private readonly now: () => number;

  constructor(options: MemoryVerdictStoreOptions = {}) {
    this.cursorKey = options.cursorKey ?? randomBytes(32).toString('base64url');
    this.now = options.now ?? Date.now;
  }

  async saveVerdict(record: VerdictRecord): Promise<void> {
    const item = verdictToItem(record);
    this.items.set(keyOf(item), item);
  }

  async getVerdict(verdictId: string): Promise<Verdict | null> {
    const item = this.live(verdictKey(verdictId));
    return item === null ? null : itemToVerdict(item);
  }

  queryVerdicts(query: VerdictQuery): Promise<VerdictPage> {
    return listVerdicts(this.cursorKey, query, (plan) => this.partitionReader(plan));
  }

  async getCachedResult(kind: CheckKind, hash: string): Promise<CachedResult | null> {
    const item = this.live(cacheKey(kind, hash));
    return item === null ? null : itemToCached(item);
  }

  async putCachedResult(
    kind: CheckKind,
    hash: string,
    result: CachedResult,
    expiresAt: number,
  ): Promise<void> {
    const item = cachedToItem(kind, hash, result, expiresAt);
    this.items.set(keyOf(item), item);
  }

  async claimMarker(request: ClaimRequest): Promise<MarkerClaim> {
    const nowMs = this.now();
    const key = keyOf(markerKey(request.scope, request.key));
    const current = this.items.get(key);
    if (current !== undefined) {
      const marker = itemToMarker(current);
      if (!isMarkerClaimable(marker, nowMs)) return markerToClaim(marker);
    }
    this.items.set(key, markerToItem(request, nowMs));
    return { state: 'claimed' };
  }

  async completeMarker(
    scope: MarkerScope,
    key: string,
    verdictId: string,
    writeBack?: WriteBackState,
  ): Promise<void> {
    this.updateExisting(scope, key, {
      [ATTR.state]: { S: 'done' },
      [ATTR.verdictId]: { S: verdictId },
      ...(writeBack === undefined ? {} : { [ATTR.writeBack]: { S: writeBack } }),
    });
  }

  async setWriteBack(scope: MarkerScope, key: string, writeBack: WriteBackState): Promise<void> {
    this.updateExisting(scope, key, { [ATTR.writeBack]: { S: writeBack } });
  }

  async releaseMarker(scope: MarkerScope, key: string): Promise<void> {
    const pk = keyOf(markerKey(scope, key));
    const current = this.items.get(pk);
    if (current !== undefined && readString(current, ATTR.state) === 'in_progress') this.items.delete(pk);
  }

  private updateExisting(scope: MarkerScope, key: string, changes: Item): void {
    const pk = keyOf(markerKey(scope, key));
    const current = this.items.get(pk);
    if (current !== undefined) this.items.set(pk, { ...current, ...changes });
  }

  /** The item under `key`, or null when absent or expired. */
  private live(key: Item): Item | null {
    const item = this.items.get(keyOf(key));
    return item === undefined || isExpiredItem(item, this.now()) ? null : item;
  }

  private partitionReader(plan: QueryPlan): FetchPartition {
    const index = TABLE_INDEXES[plan.index];
    const { phoneHash, decision, source } = plan.filters;
    return async (partition, range, need) => {
      const nowMs = this.now();
      const found: ListedVerdict[] = [];
      for (const item of this.items.values()) {
        const sortKey = readString(item, index.sortKey);
        if (sortKey === undefined || readString(item, index.partitionKey) !== partition) continue;
        if (range.from !== undefined && sortKey < range.from) continue;
        if (range.before !== undefined && sortKey >= range.before) continue;
        if (isExpiredItem(item, nowMs)) continue;
        if (phoneHash !== undefined && readString(item, ATTR.phonePk) !== phonePartition(phoneHash)) continue;
        if (decision !== undefined && readString(item, ATTR.decision) !== decision) continue;
        if (source !== undefined && readString(item, ATTR.source) !== source) continue;
        found.push({ sortKey, verdict: itemToVerdict(item) });
      }
      found.sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0));
      return found.slice(0, need);
    };
  }
}
