/** The DynamoDB adapter of the VerdictStore port: single table, conditional writes for locks, no transactions, no scans. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Review, Verdict, VerdictRecord } from '../core/verdict.js';
import type { IdentifierKind } from '../core/vocabulary.js';
import * as lists from './dynamo/lists.js';
import * as markers from './dynamo/markers.js';
import * as prelude from './dynamo/prelude.js';
import * as stats from './dynamo/stats.js';
import { DynamoTable } from './dynamo/table.js';
import * as verdicts from './dynamo/verdicts.js';
import type {
  CachedResult,
  ClaimRequest,
  ListEntry,
  ListPage,
  ListQuery,
  MarkerClaim,
  MarkerScope,
  PreludeRequest,
  PreludeResult,
  StatsHour,
  StatsIncrement,
  StoredListEntry,
  StoredVerdict,
  StoredVerdictRange,
  VelocityCount,
  VerdictPage,
  VerdictQuery,
  VerdictStore,
  WriteBackState,
} from './port.js';

export interface DynamoVerdictStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Secret used to HMAC-sign pagination cursors. */
  cursorKey: string;
  /** Clock in epoch ms (tests move it). */
  now?: () => number;
}

export class DynamoVerdictStore implements VerdictStore {
  private readonly table: DynamoTable;
  private readonly cursorKey: string;

  constructor(options: DynamoVerdictStoreOptions) {
    if (!options.cursorKey) throw new Error('cursorKey must be a non-empty secret');
    this.table = new DynamoTable(options.client, options.tableName, options.now ?? Date.now);
    this.cursorKey = options.cursorKey;
  }

  saveVerdict(record: VerdictRecord): Promise<void> {
    return verdicts.saveVerdict(this.table, record);
  }

  getVerdict(verdictId: string): Promise<Verdict | null> {
    return verdicts.getVerdict(this.table, verdictId);
  }

  getStoredVerdict(verdictId: string): Promise<StoredVerdict | null> {
    return verdicts.getStoredVerdict(this.table, verdictId);
  }

  queryVerdicts(query: VerdictQuery): Promise<VerdictPage> {
    return verdicts.queryVerdicts(this.table, this.cursorKey, query);
  }

  listStoredVerdicts(range: StoredVerdictRange): Promise<{ records: StoredVerdict[]; truncated: boolean }> {
    return verdicts.listStoredVerdicts(this.table, range);
  }

  reviewVerdict(verdictId: string, review: Review): Promise<StoredVerdict | null> {
    return verdicts.reviewVerdict(this.table, verdictId, review);
  }

  prelude(request: PreludeRequest): Promise<PreludeResult> {
    return prelude.prelude(this.table, request);
  }

  forgetVelocity(count: VelocityCount): Promise<void> {
    return prelude.forgetVelocity(this.table, count);
  }

  getCachedResult(kind: IdentifierKind, hash: string): Promise<CachedResult | null> {
    return prelude.getCachedResult(this.table, kind, hash);
  }

  putCachedResult(
    kind: IdentifierKind,
    hash: string,
    result: CachedResult,
    expiresAt: number,
  ): Promise<void> {
    return prelude.putCachedResult(this.table, kind, hash, result, expiresAt);
  }

  recordStats(increment: StatsIncrement): Promise<void> {
    return stats.recordStats(this.table, increment);
  }

  readStats(sinceHour: string, untilHour: string): Promise<StatsHour[]> {
    return stats.readStats(this.table, sinceHour, untilHour);
  }

  putListEntry(
    entry: StoredListEntry,
    expiresAtSec: number | null,
  ): Promise<{ entry: ListEntry; created: boolean }> {
    return lists.putListEntry(this.table, entry, expiresAtSec);
  }

  getListEntry(entryId: string): Promise<StoredListEntry | null> {
    return lists.getListEntry(this.table, entryId);
  }

  deleteListEntry(entryId: string): Promise<boolean> {
    return lists.deleteListEntry(this.table, entryId);
  }

  queryListEntries(query: ListQuery): Promise<ListPage> {
    return lists.queryListEntries(this.table, this.cursorKey, query);
  }

  claimMarker(request: ClaimRequest): Promise<MarkerClaim> {
    return markers.claimMarker(this.table, request);
  }

  completeMarker(
    scope: MarkerScope,
    key: string,
    token: string,
    verdictId: string,
    writeBack?: WriteBackState,
  ): Promise<boolean> {
    return markers.completeMarker(this.table, scope, key, token, verdictId, writeBack);
  }

  setWriteBack(scope: MarkerScope, key: string, writeBack: WriteBackState): Promise<void> {
    return markers.setWriteBack(this.table, scope, key, writeBack);
  }

  releaseMarker(scope: MarkerScope, key: string, token: string): Promise<void> {
    return markers.releaseMarker(this.table, scope, key, token);
  }
}
