/** The DynamoDB adapter: single table, conditional writes for locks, no transactions, no scans; one module per port. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Store } from '../ports.js';
import { dynamoLists } from './lists.js';
import { dynamoMarkers } from './markers.js';
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
  };
};
