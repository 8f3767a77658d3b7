/** Statistics counters in DynamoDB: one ADD per verdict on one of the hour's shards; reads merge the shards by hour. */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  ATTR,
  addCounts,
  COUNTER_PREFIX,
  type Item,
  itemToCounts,
  n,
  readString,
  s,
  statsKey,
  statsPartition,
} from '../items.js';
import type { StatsHour, StatsIncrement } from '../port.js';
import { allShards, hexShard, STATS_SHARDS } from '../shards.js';
import type { DynamoTable } from './table.js';

/** The shard an increment goes to: spread by its seed (a verdict id), so no hour's counter takes every write. */
export const statsShardOf = (seed: string): number => {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return hexShard(h.toString(16).padStart(2, '0'), STATS_SHARDS);
};

export const recordStats = async (table: DynamoTable, increment: StatsIncrement): Promise<void> => {
  const entries = Object.entries(increment.counts).filter(([, value]) => value !== 0);
  if (entries.length === 0) return;
  const names: Record<string, string> = { '#exp': ATTR.expiresAt };
  const values: Item = { ':exp': n(increment.expiresAt) };
  const adds = entries.map(([name, value], i) => {
    names[`#c${i}`] = `${COUNTER_PREFIX}${name}`;
    values[`:c${i}`] = n(value);
    return `#c${i} :c${i}`;
  });
  await table.call('UpdateItem', () =>
    table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: statsKey(statsShardOf(increment.shardSeed), increment.hour),
        UpdateExpression: `ADD ${adds.join(', ')} SET #exp = :exp`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    ),
  );
};

/** One query per shard (in parallel) over the hour range; the rows are summed by hour. */
export const readStats = async (
  table: DynamoTable,
  sinceHour: string,
  untilHour: string,
): Promise<StatsHour[]> => {
  const byHour = new Map<string, Record<string, number>>();
  await Promise.all(
    allShards(STATS_SHARDS).map((shard) =>
      table.queryEach(
        {
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :until',
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
          ExpressionAttributeValues: {
            ':pk': s(statsPartition(shard)),
            ':from': s(`H#${sinceHour}`),
            ':until': s(`H#${untilHour}`),
          },
        },
        (item) => {
          const hour = (readString(item, ATTR.sk) ?? '').slice(2);
          if (hour >= untilHour) return true;
          const counts = byHour.get(hour) ?? {};
          addCounts(counts, itemToCounts(item));
          byHour.set(hour, counts);
          return true;
        },
      ),
    ),
  );
  return [...byHour.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([hour, counts]) => ({ hour, counts }));
};
