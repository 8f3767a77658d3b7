/**
 * Write and read units of the store calls the bench traced, from the real items: reads are charged on the items
 * the responses carried; writes on the item before (the last version the trace saw, or absent) and after (the
 * request's item for a put, the item at the end of the run for an update, whose counters and sets only grow, so
 * it is the largest the item got: what an update is charged on), indexes included (bench/lib/capacity.ts).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { TABLE_INDEXES, TABLE_KEYS } from '../../shared/store/dynamo/layout.js';
import {
  type DynamoItem,
  failedWriteCost,
  type IndexKeys,
  itemBytes,
  itemReadUnits,
  itemWriteCost,
  queryReadUnits,
  type WriteCost,
} from './capacity.js';
import type { StoreExchange } from './store-trace.js';

/** The table's global secondary indexes (every one projects all attributes). */
export const INDEXES: IndexKeys[] = Object.values(TABLE_INDEXES).map((index) => ({
  name: index.name,
  partitionKey: index.partitionKey,
  sortKey: index.sortKey,
}));

/** `pk\nsk` of an item or key. */
export const keyOf = (item: DynamoItem): string =>
  `${item[TABLE_KEYS.partitionKey]?.S ?? ''}\n${item[TABLE_KEYS.sortKey]?.S ?? ''}`;

/** The units of one store call; an update's write units wait for the items at the end of the run. */
export interface CallCost {
  operation: string;
  rru: number;
  /** Write units, or null until `settle` (updates). */
  wru: number | null;
  /** Write units that went to indexes (included in `wru`). */
  indexWru: number | null;
}

interface DeferredUpdate {
  cost: CallCost;
  key: string;
  before: DynamoItem | null;
  failed: boolean;
}

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json =>
  typeof value === 'object' && value !== null ? (value as Json) : {};
const itemsOf = (value: unknown): DynamoItem[] => (Array.isArray(value) ? (value as DynamoItem[]) : []);
const conditionFailed = (exchange: StoreExchange): boolean =>
  exchange.status === 400 &&
  String(asObject(exchange.response).__type ?? '').includes('ConditionalCheckFailedException');

/** Keeps the last known version of every item the trace saw, and prices each call as it comes. */
export class StoreAccountant {
  readonly #known = new Map<string, DynamoItem>();
  readonly #deferred: DeferredUpdate[] = [];

  /** Prices one call; reads and puts at once, updates once `settle` has the final items. */
  price(exchange: StoreExchange): CallCost {
    const request = asObject(exchange.request);
    const response = asObject(exchange.response);
    const cost: CallCost = { operation: exchange.operation, rru: 0, wru: 0, indexWru: 0 };
    const setWrite = (write: WriteCost) => {
      cost.wru = write.total;
      cost.indexWru = write.indexes;
    };
    switch (exchange.operation) {
      case 'GetItem': {
        const item = response.Item as DynamoItem | undefined;
        if (item) this.#known.set(keyOf(item), item);
        cost.rru = itemReadUnits([item ? itemBytes(item) : 0], request.ConsistentRead === true);
        break;
      }
      case 'BatchGetItem': {
        const asked = asObject(request.RequestItems);
        const found = asObject(response.Responses);
        for (const [table, spec] of Object.entries(asked)) {
          const keys = itemsOf(asObject(spec).Keys);
          const items = new Map(itemsOf(found[table]).map((item) => [keyOf(item), item]));
          for (const item of items.values()) this.#known.set(keyOf(item), item);
          const sizes = keys.map((key) => {
            const item = items.get(keyOf(key));
            return item ? itemBytes(item) : 0;
          });
          cost.rru += itemReadUnits(sizes, asObject(spec).ConsistentRead === true);
        }
        break;
      }
      case 'Query':
      case 'Scan': {
        const items = itemsOf(response.Items);
        const sizes = items.map(itemBytes);
        // Items a filter dropped were read too: count them at the returned items' mean size.
        const scanned = Number(response.ScannedCount ?? items.length);
        const mean = items.length > 0 ? sizes.reduce((s, b) => s + b, 0) / items.length : 0;
        for (let i = items.length; i < scanned; i++) sizes.push(mean);
        cost.rru = queryReadUnits(sizes, request.ConsistentRead === true);
        break;
      }
      case 'PutItem': {
        const after = request.Item as DynamoItem | undefined;
        if (!after) break;
        const key = keyOf(after);
        const before = this.#known.get(key) ?? null;
        if (conditionFailed(exchange)) setWrite(failedWriteCost(before, after));
        else if (exchange.status === 200) {
          setWrite(itemWriteCost(before, after, INDEXES));
          this.#known.set(key, after);
        }
        break;
      }
      case 'UpdateItem': {
        const keyItem = request.Key as DynamoItem | undefined;
        if (!keyItem) break;
        const key = keyOf(keyItem);
        const failed = conditionFailed(exchange);
        if (!failed && exchange.status !== 200) break;
        const returned = response.Attributes as DynamoItem | undefined;
        const before = this.#known.get(key) ?? null;
        if (!failed && returned && request.ReturnValues === 'ALL_NEW') {
          setWrite(itemWriteCost(before, returned, INDEXES));
          this.#known.set(key, returned);
        } else {
          cost.wru = null;
          cost.indexWru = null;
          this.#deferred.push({ cost, key, before, failed });
        }
        break;
      }
      case 'DeleteItem': {
        const keyItem = request.Key as DynamoItem | undefined;
        if (!keyItem) break;
        const key = keyOf(keyItem);
        const before = this.#known.get(key) ?? null;
        if (conditionFailed(exchange)) setWrite(failedWriteCost(before, null));
        else if (exchange.status === 200) {
          setWrite(itemWriteCost(before, null, INDEXES));
          this.#known.delete(key);
        }
        break;
      }
      default:
        break;
    }
    return cost;
  }

  /**
   * Prices the updates with the items as they are at the end of the run (`final`, from a scan). An item gone by
   * then (deleted, or expired) is priced on its last known version.
   */
  settle(final: ReadonlyMap<string, DynamoItem>): void {
    for (const { cost, key, before, failed } of this.#deferred) {
      const after = final.get(key) ?? before;
      const write = failed ? failedWriteCost(before, after) : itemWriteCost(before, after, INDEXES);
      cost.wru = write.total;
      cost.indexWru = write.indexes;
    }
    this.#deferred.length = 0;
  }
}

/** Every item of a table, by key, from its scan pages. */
export const itemsByKey = (pages: ReadonlyArray<Array<Record<string, AttributeValue>>>) =>
  new Map(pages.flat().map((item) => [keyOf(item), item] as const));

const keyText = (value: unknown): string | null => {
  const key = asObject(value).Key;
  return key ? keyOf(key as DynamoItem) : null;
};

/**
 * The calls of one bench request that only the local set-up makes, which DynamoDB in AWS would not see:
 * - the consistent GetItem of a marker right after a conditional PutItem on it failed: DynamoDB returns the
 *   marker with the failure (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), dynalite does not, so the adapter
 *   reads it (shared/store/dynamo/markers.ts);
 * - the first of two GetItems of the same verdict: the local change feed reads the verdict before a review to
 *   publish `Verdict Reviewed` (shared/events/change-feed.ts); in AWS the table's stream carries the old image;
 * - an UpdateItem of a statistics counter sent after a verdict PutItem answered: the local change feed counting the
 *   new verdict (local/effects.ts), which in AWS the `verdict-events` stream consumer does off the request path. (A
 *   screening under a spend cap counts itself beside its verdict write, in parallel with it: that one stays.)
 */
export const localOnlyCalls = (calls: readonly StoreExchange[]): Set<StoreExchange> => {
  const local = new Set<StoreExchange>();
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  const verdictWritten = sorted
    .filter(
      (c) =>
        c.operation === 'PutItem' && keyOf((asObject(c.request).Item ?? {}) as DynamoItem).startsWith('V#'),
    )
    .map((c) => c.end);
  sorted.forEach((call, i) => {
    if (call.operation === 'UpdateItem') {
      const key = keyText(call.request);
      if (key?.startsWith('ST#') && verdictWritten.some((end) => end <= call.start)) local.add(call);
      return;
    }
    if (call.operation !== 'GetItem') return;
    const key = keyText(call.request);
    if (key === null) return;
    const earlier = sorted.slice(0, i);
    const failedClaim = earlier.some(
      (c) =>
        c.operation === 'PutItem' &&
        conditionFailed(c) &&
        keyOf((asObject(c.request).Item ?? {}) as DynamoItem) === key,
    );
    const readAgain =
      key.startsWith('V#') &&
      sorted.slice(i + 1).some((c) => c.operation === 'GetItem' && keyText(c.request) === key);
    if ((key.startsWith('M#') && failedClaim) || readAgain) local.add(call);
  });
  return local;
};
