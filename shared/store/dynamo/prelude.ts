/**
 * A screening's store round trip in DynamoDB: one BatchGetItem (cached results, runtime list entries, the other
 * velocity shards, the spend counters) in parallel with one conditional ADD per velocity key. Plus the cache writes.
 */
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { LIST_ACTIONS } from '../../core/vocabulary.js';
import { callsIn } from '../../stats/sums.js';
import { shardCountAfterAdd } from '../../velocity/counts.js';
import type {
  CachedResult,
  PreludeRequest,
  PreludeResult,
  ScreeningReads,
  StoredListEntry,
  VelocityCount,
  VelocityResult,
} from '../ports.js';
import { allShards, STATS_SHARDS } from '../shards.js';
import { isConditionalCheckFailed } from './client.js';
import {
  cachedToItem,
  itemToCached,
  itemToCounts,
  itemToStoredListEntry,
  toAttributes,
  velocityIdsOf,
} from './codec.js';
import { ATTR, cacheKey, type Item, listLookupKey, statsKey, velocityKey } from './keys.js';
import { type DynamoTable, keyString } from './table.js';

/**
 * Adds the identity to its shard of the counter unless that set is full (`shardCap`), and reports the shard's count:
 * a full shard counts as `shardCap` (the identity is not added).
 */
const addToVelocity = async (table: DynamoTable, count: VelocityCount): Promise<VelocityResult> => {
  try {
    const output = await table.call('UpdateItem', () =>
      table.client.send(
        new UpdateItemCommand({
          TableName: table.name,
          Key: velocityKey(count.counter, count.shard),
          UpdateExpression: 'ADD #ids :id SET #exp = :exp',
          ConditionExpression: 'attribute_not_exists(#ids) OR size(#ids) < :cap OR contains(#ids, :me)',
          ExpressionAttributeNames: { '#ids': ATTR.ids, '#exp': ATTR.expiresAt },
          ExpressionAttributeValues: toAttributes({
            ':id': new Set([count.identity]),
            ':me': count.identity,
            ':cap': count.shardCap,
            ':exp': count.expiresAt,
          }),
          ReturnValues: 'UPDATED_OLD',
        }),
      ),
    );
    return shardCountAfterAdd(velocityIdsOf(output.Attributes), count.identity);
  } catch (error) {
    if (isConditionalCheckFailed(error)) return { count: count.shardCap, added: false };
    throw error;
  }
};

const velocityOtherShards = (count: VelocityCount): Item[] =>
  allShards(count.shards)
    .filter((shard) => shard !== count.shard)
    .map((shard) => velocityKey(count.counter, shard));

const spendKeys = (hour: string): Item[] => allShards(STATS_SHARDS).map((shard) => statsKey(shard, hour));

const prelude = async (table: DynamoTable, request: PreludeRequest): Promise<PreludeResult> => {
  const keys: Item[] = [
    ...request.cache.map(({ kind, hash }) => cacheKey(kind, hash)),
    ...request.lists.flatMap((key) => LIST_ACTIONS.map((action) => listLookupKey(key, action))),
    ...request.velocity.flatMap(velocityOtherShards),
    ...(request.spendHour ? spendKeys(request.spendHour) : []),
  ];
  const adds = request.velocity.map((count) => addToVelocity(table, count).catch(() => null));
  const [found, own] = await Promise.all([
    keys.length > 0 ? table.batchGet(keys) : new Map<string, Item>(),
    Promise.all(adds),
  ]);
  const live = (key: Item): Item | undefined => {
    const item = found.get(keyString(key));
    return item === undefined || table.isExpired(item) ? undefined : item;
  };

  const cache = new Map<string, CachedResult>();
  for (const { kind, hash } of request.cache) {
    const item = live(cacheKey(kind, hash));
    if (item) cache.set(`${kind}:${hash}`, itemToCached(item));
  }
  const lists: StoredListEntry[] = [];
  for (const key of request.lists) {
    for (const action of LIST_ACTIONS) {
      const item = live(listLookupKey(key, action));
      if (item) lists.push(itemToStoredListEntry(item));
    }
  }
  const velocity = request.velocity.map((count, i): VelocityResult | null => {
    const mine = own[i];
    if (!mine) return null;
    const others = velocityOtherShards(count).reduce((sum, key) => sum + velocityIdsOf(live(key)).size, 0);
    return { count: mine.count + others, added: mine.added };
  });
  const spendCalls = request.spendHour
    ? callsIn(
        spendKeys(request.spendHour).map((key) => {
          const item = found.get(keyString(key));
          return item && itemToCounts(item);
        }),
      )
    : null;
  return { cache, lists, velocity, spendCalls };
};

/** The screening's reads (and cache writes) over `table`. */
export const dynamoScreening = (table: DynamoTable): ScreeningReads => ({
  prelude: (request) => prelude(table, request),
  async forgetVelocity(count) {
    await table.call('UpdateItem', () =>
      table.client.send(
        new UpdateItemCommand({
          TableName: table.name,
          Key: velocityKey(count.counter, count.shard),
          UpdateExpression: 'DELETE #ids :id',
          ExpressionAttributeNames: { '#ids': ATTR.ids },
          ExpressionAttributeValues: toAttributes({ ':id': new Set([count.identity]) }),
        }),
      ),
    );
  },
  async putCachedResult(kind, hash, result, expiresAt) {
    await table.call('PutItem', () =>
      table.client.send(
        new PutItemCommand({ TableName: table.name, Item: cachedToItem(kind, hash, result, expiresAt) }),
      ),
    );
  },
});
