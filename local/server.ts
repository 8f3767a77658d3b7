/** The local server (`npm start`): embedded store, sandbox Defastra, and the very same apps the Lambda functions run. */
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type ServerType, serve } from '@hono/node-server';
import { loadDevSecrets } from '../shared/config/dev-secrets.js';
import { ConfigError, isLiveDefastraUrl, type LocalConfig } from '../shared/config/local.js';
import { errorName } from '../shared/core/errors.js';
import { createDefastraClient } from '../shared/defastra/client.js';
import { describeFaults, SANDBOX_FAULT_ENV } from '../shared/defastra/sandbox/env.js';
import { faultsFromEnv, type Sandbox, startSandbox } from '../shared/defastra/sandbox/server.js';
import { withChangeFeed } from '../shared/events/change-feed.js';
import { eventsFor } from '../shared/events/events.js';
import { type EventSink, jsonlEventSink } from '../shared/events/jsonl-sink.js';
import type { Telemetry } from '../shared/observability/telemetry.js';
import { resolveForSource } from '../shared/policy/decide.js';
import { fixedPolicy } from '../shared/policy/source.js';
import { rescreenDepsOf, runRescreens } from '../shared/rescreen/job.js';
import { type AppDeps, splitSecrets, splitSpaceSecrets } from '../shared/runtime/deps.js';
import { createHasher, deriveKey } from '../shared/screening/hashing.js';
import { createDynamoClient } from '../shared/store/dynamo/client.js';
import { ensureTable } from '../shared/store/dynamo/create-table.js';
import { createDynamoStore } from '../shared/store/dynamo/store.js';
import { localFetch } from './apps.js';
import { listenDynalite, StoreInUseError } from './dynalite.js';
import { loadPolicyFile } from './policy-file.js';
import { holdPrivateUmask, makePrivate } from './private-dir.js';
import { startRescreenLoop } from './rescreen-loop.js';

export interface LocalServer {
  url: string;
  /** Where things are, for the start-up banner (never a secret). */
  info: {
    mode: 'sandbox' | 'live';
    /** Where the Defastra client sends its calls (the built-in sandbox's URL in sandbox mode). */
    defastraUrl: string;
    /** Active faults of the built-in sandbox, described (`latency 3000 ms`); empty when none or live. */
    sandboxFaults: string[];
    /** Variables that are set but have no effect, each with why. */
    ignored: string[];
    dataDir: string;
    store: string;
    secretsFile: string;
    policy: string;
    /** Where verdict events are appended (docs/events.md): `DATA_DIR/events.jsonl`. */
    eventsFile: string;
  };
  sandbox: Sandbox | undefined;
  /** The verdict events sink (tests wait on `drain()`). */
  events: EventSink;
  close(): Promise<void>;
}

type Closer = () => Promise<void>;

/** Starts everything of docs/local.md and returns once the server listens. Throws on bad config or policy. */
export const startLocalServer = async (
  config: LocalConfig,
  telemetry: Telemetry,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LocalServer> => {
  const closers: Closer[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    const { policy, from: policyFrom } = await loadPolicyFile(config.policyFile, config.policyFileExplicit);
    // DATA_DIR is private whatever the umask: what is there is tightened, what the server creates is born private.
    const releaseUmask = holdPrivateUmask();
    closers.push(async () => releaseUmask());
    await makePrivate(config.dataDir);
    const { secrets, path: secretsFile } = await loadDevSecrets(config.dataDir);

    let endpoint = config.dynamodbEndpoint;
    if (!endpoint) {
      const store = await listenDynalite({ path: join(config.dataDir, 'dynamodb') }).catch(
        (error: unknown) => {
          if (!(error instanceof StoreInUseError)) throw error;
          throw new ConfigError(
            `DATA_DIR ${config.dataDir} is in use by another signup-gate server (its embedded store is locked): stop that server, or start this one with another DATA_DIR`,
          );
        },
      );
      closers.push(store.close);
      endpoint = store.endpoint;
    }
    const client: DynamoDBClient = createDynamoClient({ endpoint });
    closers.push(async () => client.destroy());
    await ensureTable(client, config.tableName);

    let sandbox: Sandbox | undefined;
    let defastraBaseUrl = config.defastraBaseUrl;
    let defastraKey = config.defastraApiKey;
    const sandboxFaults = defastraKey ? {} : faultsFromEnv(env);
    const ignored = defastraKey
      ? SANDBOX_FAULT_ENV.filter((name) => env[name]?.trim()).map(
          (name) => `${name} (only the built-in sandbox reads it)`,
        )
      : !isLiveDefastraUrl(defastraBaseUrl)
        ? ['DEFASTRA_BASE_URL (used only with DEFASTRA_API_KEY)']
        : [];
    if (!defastraKey) {
      sandbox = await startSandbox({ faults: sandboxFaults });
      closers.push(() => sandbox!.close());
      defastraBaseUrl = sandbox.url;
      defastraKey = sandbox.apiKey;
    }
    const key = defastraKey;
    const defastra = createDefastraClient({ baseUrl: defastraBaseUrl, apiKey: async () => key });
    closers.push(async () => defastra.close());

    const apiTokens = splitSecrets(config.apiToken ?? secrets.api_token);
    const auth0Secrets = splitSecrets(config.auth0HookSecret ?? secrets.auth0_hook_secret);
    const stripeSecrets = splitSecrets(config.stripeWebhookSecret ?? secrets.stripe_webhook_secret);
    const supabaseSecrets = splitSpaceSecrets(config.supabaseHookSecret ?? secrets.supabase_hook_secret);
    // Verdict events: dynalite has no stream, so a change feed around the store stands in for it.
    const eventsFile = join(config.dataDir, 'events.jsonl');
    const events = jsonlEventSink(eventsFile, telemetry);
    closers.push(() => events.drain());
    const publish = resolveForSource(policy, 'api').events.publish;
    const tableStore = createDynamoStore({
      client,
      tableName: config.tableName,
      cursorKey: deriveKey(secrets.pepper, 'cursor'),
    });
    const store = {
      ...tableStore,
      verdicts: withChangeFeed(tableStore.verdicts, (before, after) =>
        events.publish(eventsFor(before, after, publish)),
      ),
    };
    const rescreenKey = Buffer.from(deriveKey(secrets.pepper, 'rescreen'), 'hex');
    const deps: AppDeps = {
      policy: fixedPolicy(policy),
      store,
      defastra,
      hash: createHasher(secrets.pepper),
      telemetry,
      now: Date.now,
      apiAuth: { kind: 'bearer', tokens: async () => apiTokens },
      auth0HookSecrets: async () => auth0Secrets,
      stripeWebhookSecrets: async () => stripeSecrets,
      supabaseHookSecrets: async () => supabaseSecrets,
      stripeApiKey: async () => config.stripeApiKey ?? null,
      stripeApiBaseUrl: config.stripeApiBaseUrl,
      // Locally the re-screen key comes from DATA_DIR: derived from the development pepper.
      rescreenKey: async () => rescreenKey,
    };
    const fetch = localFetch(async () => deps, telemetry);
    // Pending re-screens are tried every RESCREEN_INTERVAL_MS; the loop stops (waiting for a run) before the store.
    const rescreens = startRescreenLoop({
      intervalMs: config.rescreenIntervalMs,
      run: () => runRescreens(rescreenDepsOf(deps)),
      onError: (error) => telemetry.warn('re-screen run failed', { error: errorName(error) }),
    });
    closers.push(() => rescreens.stop());

    const server: ServerType = await new Promise((resolve, reject) => {
      const s = serve({ fetch, hostname: config.host, port: config.port }, () => resolve(s));
      s.once('error', reject);
    });
    const address = server.address();
    const port = address && typeof address !== 'string' ? address.port : config.port;
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          if ('closeIdleConnections' in server) server.closeIdleConnections();
        }),
    );
    return {
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      info: {
        mode: sandbox ? 'sandbox' : 'live',
        defastraUrl: defastraBaseUrl,
        sandboxFaults: describeFaults(sandboxFaults),
        ignored,
        dataDir: config.dataDir,
        store: config.dynamodbEndpoint
          ? `${config.dynamodbEndpoint} (table ${config.tableName})`
          : 'embedded dynalite',
        secretsFile,
        policy: policyFrom,
        eventsFile,
      },
      sandbox,
      events,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
};
