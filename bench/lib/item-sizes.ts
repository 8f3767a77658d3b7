/**
 * The items a bench run left in the table, read back with a Scan and sized by DynamoDB's rules: verdicts (by
 * source), cached results, markers, velocity counters, statistics counters, list entries. Also the size of a
 * velocity counter shard at its cap, built from the adapter's own key function (what a wave on one key writes).
 */
import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ATTR, velocityKey } from '../../shared/store/dynamo/keys.js';
import { type DynamoItem, itemBytes, writeUnits } from './capacity.js';
import { keyOf } from './store-cost.js';

/** Every item of the table, by `pk\nsk` (a Scan; only after the measured phases). */
export const scanTable = async (
  client: DynamoDBClient,
  tableName: string,
): Promise<Map<string, DynamoItem>> => {
  const items = new Map<string, DynamoItem>();
  let start: DynamoItem | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    for (const item of (page.Items ?? []) as DynamoItem[]) items.set(keyOf(item), item);
    start = page.LastEvaluatedKey as DynamoItem | undefined;
  } while (start !== undefined);
  return items;
};

export interface SizeRow {
  kind: string;
  count: number;
  p50: number;
  max: number;
}

const KINDS: Array<[prefix: string, kind: string]> = [
  ['V#', 'verdict'],
  ['C#', 'cached Defastra result'],
  ['M#', 'idempotency / event marker'],
  ['VC#', 'velocity counter shard'],
  ['ST#', 'statistics counter (hour, shard)'],
  ['L#', 'list entry, look-up item'],
  ['LISTS', 'list entry, by-id item'],
];

const kindOf = (item: DynamoItem): string => {
  const pk = item[ATTR.pk]?.S ?? '';
  // `VC#` before `V#`: the longest prefix wins.
  const match = [...KINDS]
    .sort((a, b) => b[0].length - a[0].length)
    .find(([prefix]) => pk.startsWith(prefix));
  if (!match) return 'other';
  if (match[1] === 'verdict') return `verdict, ${item[ATTR.source]?.S ?? '?'}`;
  return match[1];
};

const median = (sorted: readonly number[]): number =>
  sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;

/** Item sizes by kind: every verdict, verdicts by source, then the other kinds, largest first. */
export const sizeRows = (items: ReadonlyMap<string, DynamoItem>): SizeRow[] => {
  const byKind = new Map<string, number[]>();
  const add = (kind: string, bytes: number) => byKind.set(kind, [...(byKind.get(kind) ?? []), bytes]);
  for (const item of items.values()) {
    const kind = kindOf(item);
    const bytes = itemBytes(item);
    add(kind, bytes);
    if (kind.startsWith('verdict, ')) add('verdict, every source', bytes);
  }
  return [...byKind.entries()]
    .map(([kind, sizes]) => {
      const sorted = [...sizes].sort((a, b) => a - b);
      return { kind, count: sorted.length, p50: median(sorted), max: sorted.at(-1) ?? Number.NaN };
    })
    .sort((a, b) => rank(a.kind) - rank(b.kind) || b.p50 - a.p50);
};

/** Every verdict first, then verdicts by source, then the other kinds. */
const rank = (kind: string): number =>
  kind === 'verdict, every source' ? 0 : kind.startsWith('verdict, ') ? 1 : 2;

/**
 * A velocity counter shard holding `cap` identities (the adapter stops a shard there): its size and the write
 * units of one more add, which DynamoDB charges on the larger of the item before and after.
 */
export const velocityShardAtCap = (cap: number): { bytes: number; wru: number } => {
  const identity = (i: number) => i.toString(16).padStart(16, '0');
  const item: DynamoItem = {
    ...velocityKey(`ip#${'0'.repeat(64)}#29440020`, 7),
    [ATTR.ids]: { SS: Array.from({ length: cap }, (_v, i) => identity(i)) },
    [ATTR.expiresAt]: { N: '1766401260' },
  };
  const bytes = itemBytes(item);
  return { bytes, wru: writeUnits(bytes) };
};
