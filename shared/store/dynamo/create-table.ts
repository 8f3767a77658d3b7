/** Creates the verdict table with its three GSIs when missing and waits until it is ACTIVE (local server, tests). */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { toStoreError } from './client.js';
import { TABLE_INDEXES, TABLE_KEYS } from './layout.js';

export interface EnsureTableOptions {
  /** Give up waiting for ACTIVE after this many ms (default 60 000). */
  timeoutMs?: number;
  /** Delay between status checks in ms (default 100). */
  pollMs?: number;
}

const INDEXES = Object.values(TABLE_INDEXES);

/** The table as the adapter needs it: on-demand, string keys, every GSI projecting all attributes. */
export const tableDefinition = (tableName: string): CreateTableCommandInput => {
  const stringAttributes = new Set<string>([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey]);
  for (const index of INDEXES) {
    stringAttributes.add(index.partitionKey);
    stringAttributes.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...stringAttributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: INDEXES.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
};

const describe = async (
  client: DynamoDBClient,
  tableName: string,
): Promise<DescribeTableCommandOutput['Table'] | null> => {
  try {
    const output = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return output.Table ?? null;
  } catch (error) {
    if ((error as { name?: unknown }).name === 'ResourceNotFoundException') return null;
    throw toStoreError(error, 'DescribeTable');
  }
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Creates the table if missing (tolerating a concurrent creator), then waits for it and its indexes to be ACTIVE. */
export const ensureTable = async (
  client: DynamoDBClient,
  tableName: string,
  options: EnsureTableOptions = {},
): Promise<void> => {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const pollMs = options.pollMs ?? 100;
  let table = await describe(client, tableName);
  if (table === null) {
    try {
      await client.send(new CreateTableCommand(tableDefinition(tableName)));
    } catch (error) {
      if ((error as { name?: unknown }).name !== 'ResourceInUseException')
        throw toStoreError(error, 'CreateTable');
    }
    table = await describe(client, tableName);
  }
  for (;;) {
    const indexes = table?.GlobalSecondaryIndexes ?? [];
    const missing = INDEXES.filter((index) => !indexes.some((existing) => existing.IndexName === index.name));
    if (table && missing.length > 0) {
      throw new Error(
        `Table ${tableName} exists without index ${missing.map((index) => index.name).join(', ')}; recreate it`,
      );
    }
    const active =
      table?.TableStatus === 'ACTIVE' && indexes.every((index) => index.IndexStatus === 'ACTIVE');
    if (active) return;
    if (Date.now() > deadline) throw new Error(`Table ${tableName} did not become ACTIVE in time`);
    await sleep(pollMs);
    table = await describe(client, tableName);
  }
};
