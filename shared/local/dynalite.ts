/** The embedded DynamoDB-compatible store: dynalite on 127.0.0.1. */
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
  /** Sees each request's headers (the benchmark counts operations by `X-Amz-Target`). */
  onRequest?: (headers: Record<string, string | string[] | undefined>) => void;
}

/** Starts dynalite on 127.0.0.1; table operations take no delay. */
export const listenDynalite = async (options: EmbeddedStoreOptions = {}): Promise<EmbeddedStore> => {
  const { path, port = 0, onRequest } = options;
  const server = dynalite({
    ...(path ? { path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  if (onRequest)
    server.on('request', (request: { headers: Record<string, string | string[] | undefined> }) =>
      onRequest(request.headers),
    );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('dynalite did not report its port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
};
