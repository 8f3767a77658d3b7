/** Statistics counters in DynamoDB: one ADD per verdict on one of the hour's shards; reads merge the shards by hour. */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { sumByHour } from '../../stats/sums.js';
import type { CounterRepository, StatsHour, StatsIncrement } from '../ports.js';
import { allShards, STATS_SHARDS, statsShardOf } from '../shards.js';
import { COUNTER_PREFIX, itemToCounts, toAttributes } from './codec.js';
import { ATTR, hourOfStatsSortKey, statsKey, statsPartition, statsSortKey, stringAttr } from './keys.js';
import type { DynamoTable } from './table.js';

const record = async (table: DynamoTable, increment: StatsIncrement): Promise<void> => {
  const entries = Object.entries(increment.counts).filter(([, value]) => value !== 0);
  if (entries.length === 0) return;
  const names: Record<string, string> = { '#exp': ATTR.expiresAt };
  const values: Record<string, number> = { ':exp': increment.expiresAt };
  const adds = entries.map(([name, value], i) => {
    names[`#c${i}`] = `${COUNTER_PREFIX}${name}`;
    values[`:c${i}`] = value;
    return `#c${i} :c${i}`;
  });
  await table.call('UpdateItem', () =>
    table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: statsKey(statsShardOf(increment.shardSeed), increment.hour),
        UpdateExpression: `ADD ${adds.join(', ')} SET #exp = :exp`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: toAttributes(values),
      }),
    ),
  );
};

/** One query per shard (in parallel) over the hour range; the rows are summed by hour. */
const read = async (table: DynamoTable, sinceHour: string, untilHour: string): Promise<StatsHour[]> => {
  const rows: StatsHour[] = [];
  await Promise.all(
    allShards(STATS_SHARDS).map((shard) =>
      table.queryEach(
        {
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :until',
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
          ExpressionAttributeValues: toAttributes({
            ':pk': statsPartition(shard),
            ':from': statsSortKey(sinceHour),
            ':until': statsSortKey(untilHour),
          }),
        },
        (item) => {
          const hour = hourOfStatsSortKey(stringAttr(item, ATTR.sk));
          if (hour !== null) rows.push({ hour, counts: itemToCounts(item) });
          return true;
        },
      ),
    ),
  );
  return sumByHour(rows, sinceHour, untilHour); // BETWEEN includes `until`, which sumByHour leaves out
};

/** The statistics counter repository over `table`. */
export const dynamoCounters = (table: DynamoTable): CounterRepository => ({
  record: (increment) => record(table, increment),
  read: (sinceHour, untilHour) => read(table, sinceHour, untilHour),
});
