/** Statistics counters in DynamoDB: one ADD per verdict on one of the hour's shards; reads merge the shards by hour. */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ATTR, COUNTER_PREFIX, type Item, n, s, statsKey, statsPartition, sumByHour } from '../items.js';
import type { CounterRepository, StatsHour, StatsIncrement } from '../ports.js';
import { allShards, STATS_SHARDS, statsShardOf } from '../shards.js';
import type { DynamoTable } from './table.js';

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
  const items: Item[] = [];
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
          items.push(item);
          return true;
        },
      ),
    ),
  );
  return sumByHour(items, sinceHour, untilHour); // BETWEEN includes `until`, which sumByHour leaves out
};

/** The statistics counter repository over `table`. */
export const dynamoCounters = (table: DynamoTable): CounterRepository => ({
  record: (increment) => recordStats(table, increment),
  read: (sinceHour, untilHour) => readStats(table, sinceHour, untilHour),
});
