/**
 * Pending re-screens in DynamoDB: one item per pending verdict (`RQ#<verdict_id>`), in the sparse `by_due` index under
 * one of 16 shards, sorted by due time; `due` reads the due head of every shard (no scan), the item goes when the
 * re-screen ends (docs/rescreen.md).
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { PendingRescreen, RescreenQueue } from '../ports.js';
import { allShards, VERDICT_SHARDS, verdictShard } from '../shards.js';
import { toAttributes } from './codec.js';
import { ATTR, duePartition, dueSortKey, type Item, rescreenKey, stringAttr } from './keys.js';
import { TABLE_INDEXES } from './layout.js';
import type { DynamoTable } from './table.js';

const numberAttr = (item: Item, name: string): number => {
  const value = item[name];
  return value !== undefined && 'N' in value ? Number(value.N) : 0;
};

const itemOf = (pending: PendingRescreen): Item => ({
  ...rescreenKey(pending.verdictId),
  ...toAttributes({
    [ATTR.verdictId]: pending.verdictId,
    [ATTR.duePk]: duePartition(verdictShard(pending.verdictId)),
    [ATTR.dueSk]: dueSortKey(pending.dueAt, pending.verdictId),
    [ATTR.attempts]: pending.attempts,
    [ATTR.sealed]: pending.sealed,
    [ATTR.expiresAt]: pending.expiresAt,
  }),
});

const pendingOf = (item: Item): PendingRescreen | null => {
  const verdictId = stringAttr(item, ATTR.verdictId);
  const dueSk = stringAttr(item, ATTR.dueSk);
  const sealed = stringAttr(item, ATTR.sealed);
  if (verdictId === undefined || dueSk === undefined || sealed === undefined) return null;
  return {
    verdictId,
    dueAt: Date.parse(dueSk.slice(0, dueSk.indexOf('#'))),
    attempts: numberAttr(item, ATTR.attempts),
    sealed,
    expiresAt: numberAttr(item, ATTR.expiresAt),
  };
};

/** The re-screen queue over `table`. */
export const dynamoRescreenQueue = (table: DynamoTable): RescreenQueue => ({
  async enqueue(pending) {
    await table.call('PutItem', () =>
      table.client.send(new PutItemCommand({ TableName: table.name, Item: itemOf(pending) })),
    );
  },

  async get(verdictId) {
    const item = await table.getLive(rescreenKey(verdictId));
    return item === null ? null : pendingOf(item);
  },

  /** One query per shard (in parallel), each reading at most `limit` due items; the oldest `limit` of them win. */
  async due(nowMs, limit) {
    if (limit <= 0) return [];
    const upTo = `${new Date(nowMs).toISOString()}#~`;
    const found: PendingRescreen[] = [];
    await Promise.all(
      allShards(VERDICT_SHARDS).map(async (shard) => {
        for await (const page of table.queryPages(
          {
            IndexName: TABLE_INDEXES.byDue.name,
            KeyConditionExpression: '#pk = :pk AND #sk <= :upTo',
            ExpressionAttributeNames: { '#pk': ATTR.duePk, '#sk': ATTR.dueSk },
            ExpressionAttributeValues: toAttributes({ ':pk': duePartition(shard), ':upTo': upTo }),
          },
          limit,
        )) {
          for (const item of page.items) {
            const pending = table.isExpired(item) ? null : pendingOf(item);
            if (pending !== null) found.push(pending);
          }
          break; // the first page holds the shard's `limit` longest-waiting items
        }
      }),
    );
    return found.sort((a, b) => a.dueAt - b.dueAt || (a.verdictId < b.verdictId ? -1 : 1)).slice(0, limit);
  },

  async reschedule(verdictId, dueAt, attempts) {
    return table.call('UpdateItem', async () => {
      try {
        await table.client.send(
          new UpdateItemCommand({
            TableName: table.name,
            Key: rescreenKey(verdictId),
            UpdateExpression: 'SET #dueSk = :dueSk, #attempts = :attempts',
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#pk': ATTR.pk, '#dueSk': ATTR.dueSk, '#attempts': ATTR.attempts },
            ExpressionAttributeValues: toAttributes({
              ':dueSk': dueSortKey(dueAt, verdictId),
              ':attempts': attempts,
            }),
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    });
  },

  async finish(verdictId) {
    await table.call('DeleteItem', () =>
      table.client.send(new DeleteItemCommand({ TableName: table.name, Key: rescreenKey(verdictId) })),
    );
  },
});
