/** The embedded DynamoDB-compatible store: dynalite on 127.0.0.1, refusing a LevelDB folder another server holds. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import dynalite from 'dynalite';

export interface EmbeddedStore {
  endpoint: string;
  /** Closes open connections, then the server (LevelDB is flushed on close). */
  close(): Promise<void>;
}

export interface EmbeddedStoreOptions {
  /** Directory for the LevelDB files; in memory when omitted. */
  path?: string | undefined;
  /** Default: one the OS picks. */
  port?: number;
  /**
   * Sees each request's headers as it arrives (the benchmark counts operations by `X-Amz-Target`), and the
   * request and response themselves, e.g. to note when the response finished.
   */
  onRequest?: (
    headers: Record<string, string | string[] | undefined>,
    exchange: { request: IncomingMessage; response: ServerResponse },
  ) => void;
}

/** The store folder is held by another server (another process, or this one): LevelDB allows one owner. */
export class StoreInUseError extends Error {
  override readonly name = 'StoreInUseError';
  constructor(readonly path: string) {
    super(`the store folder ${path} is in use by another server`);
  }
}

interface LevelDb {
  open(): Promise<void>;
  close(): Promise<void>;
}
type LevelClass = new (path: string) => LevelDb;

/** The very LevelDB class dynalite opens (its `level` dependency), so the probe takes the same lock. */
const dynaliteLevel = (): LevelClass => {
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  return (fromDynalite('level') as { Level: LevelClass }).Level;
};

/** Folders this process has open: LevelDB must not even try a second open here (see `probeLock`). */
const openHere = new Set<string>();

/**
 * Throws StoreInUseError when another process holds the folder's LevelDB lock. Dynalite alone would defer
 * the failed open and crash on its first request with "Database is closed". Never probe a folder this
 * process holds: LevelDB's failed second open closes a descriptor of the LOCK file, which drops the
 * process's POSIX lock on it (hence `openHere`).
 */
const probeLock = async (path: string): Promise<void> => {
  const db = new (dynaliteLevel())(path);
  try {
    await db.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') throw new StoreInUseError(path);
    throw error;
  }
  await db.close();
};

/** Starts dynalite on 127.0.0.1; table operations take no delay. Throws StoreInUseError for a held folder. */
export const listenDynalite = async (options: EmbeddedStoreOptions = {}): Promise<EmbeddedStore> => {
  const { port = 0, onRequest } = options;
  const path = options.path ? resolve(options.path) : undefined;
  if (path) {
    if (openHere.has(path)) throw new StoreInUseError(path);
    openHere.add(path);
  }
  const release = () => {
    if (path) openHere.delete(path);
  };
  let server: ReturnType<typeof dynalite> | undefined;
  try {
    // Dynalite opens its LevelDB on the next tick, right after the probe let go of the lock.
    if (path) await probeLock(path);
    server = dynalite({
      ...(path ? { path } : {}),
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    if (onRequest)
      server.on('request', (request: IncomingMessage, response: ServerResponse) =>
        onRequest(request.headers, { request, response }),
      );
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    // Once dynalite exists its LevelDB may be open: the folder stays marked as held by this process.
    if (!server) release();
    throw error;
  }
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('dynalite did not report its port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: async () => {
      server.closeAllConnections();
      try {
        await new Promise<void>((resolve, reject) =>
          server.close((error) => (error ? reject(error) : resolve())),
        );
      } finally {
        release();
      }
    },
  };
};
