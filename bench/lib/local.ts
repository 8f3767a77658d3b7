/**
 * Starts the real local server (`startLocalServer`, what `npm start` runs) for a benchmark or load run: a temp
 * DATA_DIR, a policy written there, silent telemetry, and secrets chosen here so the caller knows them. The
 * environment is built from scratch, never `process.env`: a developer's DEFASTRA_API_KEY can never turn a
 * benchmark into calls to the live API. Defastra is always the built-in sandbox on loopback.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenDynalite } from '../../local/dynalite.js';
import { type LocalServer, startLocalServer } from '../../local/server.js';
import { loadLocalConfig } from '../../shared/config/local.js';
import type { Sandbox } from '../../shared/defastra/sandbox/index.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { StoreTrace } from './store-trace.js';

export interface OwnServerOptions {
  /** Policy document (merged over the defaults by the server). Default `{}`. */
  policy?: unknown;
  /** Extra environment, e.g. `SANDBOX_LATENCY_MS`. */
  env?: Record<string, string>;
  /**
   * Run the embedded store here (dynalite on disk in DATA_DIR, as `npm start` does) and hand it to the server
   * through DYNAMODB_ENDPOINT, so every store call can be counted by operation, timed and traced. Default true.
   */
  countStore?: boolean;
}

export interface OwnServer {
  url: string;
  apiToken: string;
  auth0HookSecret: string;
  stripeWebhookSecret: string;
  /** The Standard Webhooks secret of `/hooks/supabase`, as Supabase shows it (`v1,whsec_<base64>`). */
  supabaseHookSecret: string;
  sandbox: Sandbox;
  server: LocalServer;
  dataDir: string;
  /** Undefined when `countStore` was false (the server then runs its own dynalite). */
  store: StoreTrace | undefined;
  /** The embedded store's endpoint and table, when `countStore` is on (e.g. to scan the items at the end). */
  storeEndpoint: string | undefined;
  tableName: string | undefined;
  close(): Promise<void>;
}

/** dynalite on 127.0.0.1 whose every request the trace sees (operation, timing, bodies while a request is open). */
const startTracedStore = async (
  path: string,
): Promise<{ endpoint: string; trace: StoreTrace; close(): Promise<void> }> => {
  const trace = new StoreTrace();
  const store = await listenDynalite({ path, onRequest: trace.onRequest });
  return { endpoint: store.endpoint, trace, close: store.close };
};

const BENCH_TABLE = 'signup-gate-bench';

const secret = (prefix: string): string => `${prefix}${randomBytes(24).toString('base64url')}`;

export const startOwnServer = async (options: OwnServerOptions = {}): Promise<OwnServer> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'signup-gate-bench-'));
  try {
    const policyFile = join(dataDir, 'policy.json');
    await writeFile(policyFile, JSON.stringify(options.policy ?? {}));
    const apiToken = secret('sg_bench_');
    const auth0HookSecret = secret('sg_auth0_bench_');
    const stripeWebhookSecret = secret('whsec_bench');
    const supabaseHookSecret = `v1,whsec_${randomBytes(32).toString('base64')}`;
    const store =
      options.countStore === false ? undefined : await startTracedStore(join(dataDir, 'dynamodb'));
    const env: Record<string, string> = {
      ...(store ? { DYNAMODB_ENDPOINT: store.endpoint, TABLE_NAME: BENCH_TABLE } : {}),
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      POLICY_FILE: policyFile,
      API_TOKEN: apiToken,
      AUTH0_HOOK_SECRET: auth0HookSecret,
      STRIPE_WEBHOOK_SECRET: stripeWebhookSecret,
      SUPABASE_HOOK_SECRET: supabaseHookSecret,
      ...options.env,
    };
    delete env.DEFASTRA_API_KEY;
    let server: LocalServer;
    try {
      server = await startLocalServer(loadLocalConfig(env), silentTelemetry, env);
    } catch (error) {
      await store?.close();
      throw error;
    }
    if (!server.sandbox) {
      await server.close();
      await store?.close();
      throw new Error('the local server did not start the Defastra sandbox');
    }
    const sandbox = server.sandbox;
    return {
      url: server.url,
      apiToken,
      auth0HookSecret,
      stripeWebhookSecret,
      supabaseHookSecret,
      sandbox,
      server,
      dataDir,
      store: store?.trace,
      storeEndpoint: store?.endpoint,
      tableName: store ? BENCH_TABLE : undefined,
      close: async () => {
        await server.close();
        await store?.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
};
