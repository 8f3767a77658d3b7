/** The DynamoDB adapter: single table, conditional writes for locks, no transactions, no scans; one module per port. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CounterRepository, PolicyVersionRepository, Store } from '../ports.js';
import { dynamoLists } from './lists.js';
import { dynamoMarkers } from './markers.js';
import { dynamoPolicies } from './policies.js';
import { dynamoScreening } from './prelude.js';
import { dynamoRescreenQueue } from './rescreen.js';
import { dynamoCounters } from './stats.js';
import { DynamoTable } from './table.js';
import { dynamoVerdicts } from './verdicts.js';

export interface DynamoStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Secret used to HMAC-sign pagination cursors. */
  cursorKey: string;
  /** Clock in epoch ms (tests move it). */
  now?: () => number;
}

/** Every port over one table. */
export const createDynamoStore = (options: DynamoStoreOptions): Store => {
  if (!options.cursorKey) throw new Error('cursorKey must be a non-empty secret');
  const table = new DynamoTable(options.client, options.tableName, options.now ?? Date.now);
  return {
    verdicts: dynamoVerdicts(table, options.cursorKey),
    screening: dynamoScreening(table),
    lists: dynamoLists(table, options.cursorKey),
    markers: dynamoMarkers(table),
    counters: dynamoCounters(table),
    rescreen: dynamoRescreenQueue(table),
    policies: dynamoPolicies(table),
  };
};

/** The policy versions alone (what a function's policy source reads, before the pepper and the cursor key are known). */
export const createDynamoPolicies = (
  options: Omit<DynamoStoreOptions, 'cursorKey'>,
): PolicyVersionRepository =>
  dynamoPolicies(new DynamoTable(options.client, options.tableName, options.now ?? Date.now));

/** The statistics counters alone (the stream consumer's and the local change feed's writes). */
export const createDynamoCounters = (
  options: Pick<DynamoStoreOptions, 'client' | 'tableName' | 'now'>,
): CounterRepository =>
  dynamoCounters(new DynamoTable(options.client, options.tableName, options.now ?? Date.now));
