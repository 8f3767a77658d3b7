/** The DynamoDB table as the adapter's modules use it: one client, one table name, a clock, and store-error mapping. */
import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { isExpiredAt } from '../../core/time.js';
import { StoreUnavailableError } from '../errors.js';
import { toStoreError } from './client.js';
import { expiryOf } from './codec.js';
import { ATTR, type Item, stringAttr } from './keys.js';

/** Most keys one BatchGetItem takes. */
const BATCH_GET_LIMIT = 100;
/** Rounds of retrying keys DynamoDB left unprocessed (throttling) before giving up. */
const BATCH_GET_ROUNDS = 4;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class DynamoTable {
  constructor(
    readonly client: DynamoDBClient,
    readonly name: string,
    readonly now: () => number,
  ) {}

  /** Runs one SDK call, turning availability failures into StoreUnavailableError. */
  async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw toStoreError(error, operation);
    }
  }

  /** Whether an item's `expires_at` has passed (TTL deletion is lazy: expired items count as gone on read). */
  isExpired(item: Item): boolean {
    return isExpiredAt(expiryOf(item), this.now());
  }

  async get(key: Item, consistent = true): Promise<Item | null> {
    const output = await this.call('GetItem', () =>
      this.client.send(new GetItemCommand({ TableName: this.name, Key: key, ConsistentRead: consistent })),
    );
    return output.Item ?? null;
  }

  /** The item under `key` unless absent or expired. */
  async getLive(key: Item): Promise<Item | null> {
    const item = await this.get(key);
    return item === null || this.isExpired(item) ? null : item;
  }

  /**
   * Reads many items in one request (strongly consistent, so a list entry written before is seen), retrying keys
   * DynamoDB leaves unprocessed. Returns the items found by `pk\nsk`.
   */
  async batchGet(keys: Item[]): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    const unique = new Map(keys.map((key) => [keyString(key), key]));
    let pending = [...unique.values()];
    for (let round = 0; pending.length > 0; round++) {
      if (round >= BATCH_GET_ROUNDS) throw new StoreUnavailableError('DynamoDB left keys unprocessed');
      if (round > 0) await sleep(20 * 2 ** round);
      const chunks: Item[][] = [];
      for (let i = 0; i < pending.length; i += BATCH_GET_LIMIT)
        chunks.push(pending.slice(i, i + BATCH_GET_LIMIT));
      const outputs = await Promise.all(
        chunks.map((chunk) =>
          this.call('BatchGetItem', () =>
            this.client.send(
              new BatchGetItemCommand({
                RequestItems: { [this.name]: { Keys: chunk, ConsistentRead: true } },
              }),
            ),
          ),
        ),
      );
      pending = [];
      for (const output of outputs) {
        for (const item of output.Responses?.[this.name] ?? []) found.set(keyString(item), item);
        pending.push(...((output.UnprocessedKeys?.[this.name]?.Keys ?? []) as Item[]));
      }
    }
    return found;
  }

  /**
   * A query's pages, read one at a time as the caller asks for them (`limit` items asked per page): the items that
   * passed the filter, how many were read (and billed) to find them, and where the page stopped (none at the end).
   */
  async *queryPages(
    input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
    limit: number,
  ): AsyncGenerator<QueryPage> {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const output = await this.call('Query', () =>
        this.client.send(
          new QueryCommand({ ...input, TableName: this.name, ExclusiveStartKey: startKey, Limit: limit }),
        ),
      );
      const items = output.Items ?? [];
      startKey = output.LastEvaluatedKey;
      yield { items, scanned: output.ScannedCount ?? items.length, lastKey: startKey };
    } while (startKey !== undefined);
  }

  /**
   * Runs a query page by page, calling `take` on each item until it returns false or the pages run out.
   * `pageLimit`, when given, is asked before each page (how many items are still worth reading).
   */
  async queryEach(
    input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
    take: (item: Item) => boolean,
    pageLimit?: () => number,
  ): Promise<void> {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const limit = pageLimit?.();
      const output = await this.call('Query', () =>
        this.client.send(
          new QueryCommand({
            ...input,
            TableName: this.name,
            ExclusiveStartKey: startKey,
            ...(limit === undefined ? {} : { Limit: limit }),
          }),
        ),
      );
      for (const item of output.Items ?? []) if (!take(item)) return;
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
  }
}

/** One page of a query. */
export interface QueryPage {
  items: Item[];
  /** Items read to find them (a filter drops some after they are read, and billed). */
  scanned: number;
  /** The key the page stopped at; undefined when the query is over. */
  lastKey: Item | undefined;
}

/** `pk\nsk` of an item or key: how batch results are matched back to what was asked. */
export const keyString = (item: Item): string =>
  `${stringAttr(item, ATTR.pk) ?? ''}\n${stringAttr(item, ATTR.sk) ?? ''}`;
