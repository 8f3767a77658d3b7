/** Test helper: a dynalite server on a random port (in memory or in a temp dir) with a fresh verdict table. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { listenDynalite } from '../../local/dynalite.js';
import { createDynamoClient } from '../../shared/store/dynamo/client.js';
import { ensureTable } from '../../shared/store/dynamo/create-table.js';

export interface DynaliteHandle {
  endpoint: string;
  client: DynamoDBClient;
  /** A table created (ACTIVE, with its GSIs) for this handle. */
  tableName: string;
  /** Another fresh, empty table on the same server, for tests that need isolation. */
  freshTable: () => Promise<string>;
  close: () => Promise<void>;
}

export interface StartDynaliteOptions {
  /** `memory` (default) or a temporary LevelDB directory removed on close. */
  storage?: 'memory' | 'tempdir';
}

const uniqueTableName = (): string => `verdicts-${randomUUID().slice(0, 8)}`;

/** Starts dynalite on 127.0.0.1 with an OS-chosen port, builds a fast-failing client and creates a table. */
export const startDynalite = async (options: StartDynaliteOptions = {}): Promise<DynaliteHandle> => {
  const dir = options.storage === 'tempdir' ? await mkdtemp(join(tmpdir(), 'dynalite-')) : undefined;
  const store = await listenDynalite({ path: dir });
  const { endpoint } = store;
  const client = createDynamoClient({ endpoint, region: 'local', maxAttempts: 2 });

  const freshTable = async (): Promise<string> => {
    const name = uniqueTableName();
    await ensureTable(client, name, { pollMs: 10 });
    return name;
  };

  const close = async (): Promise<void> => {
    client.destroy();
    await store.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  };

  try {
    return { endpoint, client, tableName: await freshTable(), freshTable, close };
  } catch (error) {
    await close();
    throw error;
  }
};
