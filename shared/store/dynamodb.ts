/** The DynamoDB adapter of the VerdictStore port: single table, conditional puts for markers, no transactions. */
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { CheckKind } from '../defastra/types.js';
import type { Verdict, VerdictRecord } from '../screening/verdict.js';
import { isConditionalCheckFailed, toStoreError } from './client.js';
import {
  type FetchPartition,
  hasResidualFilters,
  type ListedVerdict,
  listVerdicts,
  type QueryPlan,
} from './cursor.js';
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
  nowSeconds,
  phonePartition,
  readString,
  verdictKey,
  verdictToItem,
} from './items.js';
import {
  type CachedResult,
  type ClaimRequest,
  type MarkerClaim,
  type MarkerScope,
  StoreUnavailableError,
  type VerdictPage,
  type VerdictQuery,
  type VerdictStore,
  type WriteBackState,
} from './port.js';
import { TABLE_INDEXES } from './table.js';

export interface DynamoVerdictStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Secret used to HMAC-sign pagination cursors. */
  cursorKey: string;
  /** Clock in epoch ms (tests move it). */
  now?: () => number;
}

/** Claim attempts when the marker changes between our put and our read (deleted, or its lock lapsing). */
const CLAIM_ATTEMPTS = 4;
/** Largest page DynamoDB is asked for while filtering. */
const MAX_QUERY_PAGE = 1000;

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });

export class DynamoVerdictStore implements VerdictStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly cursorKey: string;
  private readonly now: () => number;

  constructor(options: DynamoVerdictStoreOptions) {
    if (!options.cursorKey) throw new Error('cursorKey must be a non-empty secret');
    this.client = options.client;
    this.tableName = options.tableName;
    this.cursorKey = options.cursorKey;
    this.now = options.now ?? Date.now;
  }

  async saveVerdict(record: VerdictRecord): Promise<void> {
    await this.call('PutItem', () =>
      this.client.send(new PutItemCommand({ TableName: this.tableName, Item: verdictToItem(record) })),
    );
  }

  async getVerdict(verdictId: string): Promise<Verdict | null> {
    const item = await this.getItem(verdictKey(verdictId));
    return item === null || isExpiredItem(item, this.now()) ? null : itemToVerdict(item);
  }

  queryVerdicts(query: VerdictQuery): Promise<VerdictPage> {
    return listVerdicts(this.cursorKey, query, (plan) => this.partitionReader(plan));
  }

  async getCachedResult(kind: CheckKind, hash: string): Promise<CachedResult | null> {
    const item = await this.getItem(cacheKey(kind, hash), false);
    return item === null || isExpiredItem(item, this.now()) ? null : itemToCached(item);
  }

  async putCachedResult(
    kind: CheckKind,
    hash: string,
    result: CachedResult,
    expiresAt: number,
  ): Promise<void> {
    await this.call('PutItem', () =>
      this.client.send(
        new PutItemCommand({ TableName: this.tableName, Item: cachedToItem(kind, hash, result, expiresAt) }),
      ),
    );
  }

  /**
   * One conditional put takes the marker when it is absent, expired, or in progress with a lapsed lock. On a lost
   * race the current marker comes back with the failure (`ALL_OLD`), or, where the server does not return it
   * (dynalite), from a consistent read.
   */
  async claimMarker(request: ClaimRequest): Promise<MarkerClaim> {
    let lastSeen: Item | null = null;
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const nowMs = this.now();
      try {
        await this.call('PutItem', () =>
          this.client.send(
            new PutItemCommand({
              TableName: this.tableName,
              Item: markerToItem(request, nowMs),
              ConditionExpression:
                'attribute_not_exists(#pk) OR #exp <= :nowSec OR (#state = :inProgress AND #lock < :nowMs)',
              ExpressionAttributeNames: {
                '#pk': ATTR.pk,
                '#exp': ATTR.expiresAt,
                '#state': ATTR.state,
                '#lock': ATTR.lockUntil,
              },
              ExpressionAttributeValues: {
                ':nowSec': n(nowSeconds(nowMs)),
                ':nowMs': n(nowMs),
                ':inProgress': s('in_progress'),
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          ),
        );
        return { state: 'claimed' };
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        const current =
          (error as { Item?: Item }).Item ?? (await this.getItem(markerKey(request.scope, request.key)));
        if (current !== null) {
          lastSeen = current;
          const marker = itemToMarker(current);
          if (!isMarkerClaimable(marker, this.now())) return markerToClaim(marker);
        }
      }
    }
    if (lastSeen !== null) return markerToClaim(itemToMarker(lastSeen));
    throw new StoreUnavailableError('Marker kept changing while claiming it');
  }

  /** Marks the marker done. A marker that is gone (expired, released) is left gone: nothing to complete. */
  async completeMarker(
    scope: MarkerScope,
    key: string,
    verdictId: string,
    writeBack?: WriteBackState,
  ): Promise<void> {
    const names: Record<string, string> = { '#pk': ATTR.pk, '#state': ATTR.state, '#vid': ATTR.verdictId };
    const values: Item = { ':done': s('done'), ':vid': s(verdictId) };
    let update = 'SET #state = :done, #vid = :vid';
    if (writeBack !== undefined) {
      names['#wb'] = ATTR.writeBack;
      values[':wb'] = s(writeBack);
      update += ', #wb = :wb';
    }
    await this.updateExisting(scope, key, update, names, values);
  }

  /** Records the write-back state. A marker that is gone is left gone. */
  async setWriteBack(scope: MarkerScope, key: string, writeBack: WriteBackState): Promise<void> {
    await this.updateExisting(
      scope,
      key,
      'SET #wb = :wb',
      { '#pk': ATTR.pk, '#wb': ATTR.writeBack },
      { ':wb': s(writeBack) },
    );
  }

  /** Deletes the marker only while it is in progress: a done marker stays. */
  async releaseMarker(scope: MarkerScope, key: string): Promise<void> {
    try {
      await this.call('DeleteItem', () =>
        this.client.send(
          new DeleteItemCommand({
            TableName: this.tableName,
            Key: markerKey(scope, key),
            ConditionExpression: '#state = :inProgress',
            ExpressionAttributeNames: { '#state': ATTR.state },
            ExpressionAttributeValues: { ':inProgress': s('in_progress') },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  private async updateExisting(
    scope: MarkerScope,
    key: string,
    update: string,
    names: Record<string, string>,
    values: Item,
  ): Promise<void> {
    try {
      await this.call('UpdateItem', () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: markerKey(scope, key),
            UpdateExpression: update,
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  private async getItem(key: Item, consistent = true): Promise<Item | null> {
    const output = await this.call('GetItem', () =>
      this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: consistent }),
      ),
    );
    return output.Item ?? null;
  }

  /**
   * Reads one index partition newest-first, page after page, until `need` items passed the filters or the
   * range is exhausted. An exclusive upper bound together with a lower bound becomes BETWEEN (the only two-sided
   * key condition) and the bound item itself is dropped here: key attributes cannot be filtered server-side.
   */
  private partitionReader(plan: QueryPlan): FetchPartition {
    const index = TABLE_INDEXES[plan.index];
    const residual = hasResidualFilters(plan);
    return async (partition, range, need) => {
      const names: Record<string, string> = { '#pk': index.partitionKey, '#exp': ATTR.expiresAt };
      const values: Item = { ':pk': s(partition), ':nowSec': n(nowSeconds(this.now())) };
      let keyCondition = '#pk = :pk';
      if (range.from !== undefined && range.before !== undefined) {
        keyCondition += ' AND #sk BETWEEN :from AND :before';
      } else if (range.from !== undefined) {
        keyCondition += ' AND #sk >= :from';
      } else if (range.before !== undefined) {
        keyCondition += ' AND #sk < :before';
      }
      if (range.from !== undefined || range.before !== undefined) names['#sk'] = index.sortKey;
      if (range.from !== undefined) values[':from'] = s(range.from);
      if (range.before !== undefined) values[':before'] = s(range.before);

      const filters = ['(attribute_not_exists(#exp) OR #exp > :nowSec)'];
      if (plan.filters.phoneHash !== undefined) {
        names['#phone'] = ATTR.phonePk;
        values[':phone'] = s(phonePartition(plan.filters.phoneHash));
        filters.push('#phone = :phone');
      }
      if (plan.filters.decision !== undefined) {
        names['#decision'] = ATTR.decision;
        values[':decision'] = s(plan.filters.decision);
        filters.push('#decision = :decision');
      }
      if (plan.filters.source !== undefined) {
        names['#source'] = ATTR.source;
        values[':source'] = s(plan.filters.source);
        filters.push('#source = :source');
      }

      const found: ListedVerdict[] = [];
      let startKey: Item | undefined;
      do {
        const remaining = need - found.length + 1;
        const pageLimit = Math.min(MAX_QUERY_PAGE, residual ? Math.max(remaining * 2, 100) : remaining);
        const output = await this.call('Query', () =>
          this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: index.name,
              KeyConditionExpression: keyCondition,
              FilterExpression: filters.join(' AND '),
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ScanIndexForward: false,
              Limit: pageLimit,
              ExclusiveStartKey: startKey,
            }),
          ),
        );
        for (const item of output.Items ?? []) {
          const sortKey = readString(item, index.sortKey);
          if (sortKey === undefined || sortKey === range.before) continue;
          found.push({ sortKey, verdict: itemToVerdict(item) });
          if (found.length === need) return found;
        }
        startKey = output.LastEvaluatedKey;
      } while (startKey !== undefined);
      return found;
    };
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw toStoreError(error, operation);
    }
  }
}
