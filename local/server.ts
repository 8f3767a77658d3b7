/** The local server (`npm start`): embedded store, sandbox Defastra, and the very same apps the Lambda functions run. */
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type ServerType, serve } from '@hono/node-server';
import { type DevSecrets, loadDevSecrets } from '../shared/config/dev-secrets.js';
import { HOOK_SECRET_SETTINGS, perHook, splitHookSecrets } from '../shared/config/hook-secrets.js';
import { ConfigError, isLiveDefastraUrl, type LocalConfig } from '../shared/config/local.js';
import { errorName } from '../shared/core/errors.js';
import { createDefastraClient } from '../shared/defastra/client.js';
import { describeFaults, SANDBOX_FAULT_ENV } from '../shared/defastra/sandbox/env.js';
import { faultsFromEnv, type Sandbox, startSandbox } from '../shared/defastra/sandbox/server.js';
import { type BackgroundEnforcer, backgroundEnforcer } from '../shared/enforce/background.js';
import { createEnforcer } from '../shared/enforce/enforcer.js';
import { createProviders, type ProviderSettings } from '../shared/enforce/providers/index.js';
import { withChangeFeed } from '../shared/events/change-feed.js';
import { type EventSink, jsonlEventSink } from '../shared/events/jsonl-sink.js';
import type { Telemetry } from '../shared/observability/telemetry.js';
import { resolveForSource } from '../shared/policy/decide.js';
import { policyDeps } from '../shared/policy/source.js';
import { runtimePolicies } from '../shared/policy-lifecycle/runtime.js';
import { rescreenDepsOf, runRescreens } from '../shared/rescreen/job.js';
import { type AppDeps, splitSecrets, splitSpaceSecrets } from '../shared/runtime/deps.js';
import { createHasher, deriveKey } from '../shared/screening/hashing.js';
import { createDynamoClient } from '../shared/store/dynamo/client.js';
import { ensureTable } from '../shared/store/dynamo/create-table.js';
import { createDynamoCounters, createDynamoStore } from '../shared/store/dynamo/store.js';
import { localFetch } from './apps.js';
import { listenDynalite, StoreInUseError } from './dynalite.js';
import { type LocalEffects, localEffects } from './effects.js';
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
  /** The verdict events sink. */
  events: EventSink;
  /** What the change feed drives off the request path (events, statistics): tests wait on `effects.drain()`. */
  effects: Pick<LocalEffects, 'drain'>;
  /** The enforcer on the change feed (docs/enforcement.md; tests wait on `drain()`). */
  enforcement: BackgroundEnforcer;
  close(): Promise<void>;
}

type Closer = () => Promise<void>;

/** The user agent suffix of the store calls made off the request path (the bench tells them apart by it). */
export const EFFECTS_USER_AGENT = 'signup-gate-effects';

/** The provider APIs the environment sets up (docs/enforcement.md); Stripe and Cognito are always there. */
const providerSettings = (config: LocalConfig): ProviderSettings => {
  const { auth0, supabase, clerk, cognitoEndpoint } = config.enforcement;
  return {
    auth0: auth0 && { ...auth0, clientSecret: async () => auth0.clientSecret },
    supabase: supabase && { url: supabase.url, serviceRoleKey: async () => supabase.serviceRoleKey },
    cognito: { endpoint: cognitoEndpoint },
    stripe: { apiKey: async () => config.stripeApiKey ?? null, baseUrl: config.stripeApiBaseUrl },
    clerk: clerk && { baseUrl: clerk.baseUrl, secretKey: async () => clerk.secretKey },
  };
};

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
    // What the stream consumer does in AWS runs here on a client of its own, told apart by its user agent.
    const effectsClient: DynamoDBClient = createDynamoClient({ endpoint, userAgent: EFFECTS_USER_AGENT });
    closers.push(async () => effectsClient.destroy());

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
    const hookSecrets = perHook((hook) =>
      splitHookSecrets(
        hook,
        config.hookSecrets[hook] ?? secrets[HOOK_SECRET_SETTINGS[hook].devSecret as keyof DevSecrets],
      ),
    );
    // Verdict events and statistics: dynalite has no stream, so a change feed around the store stands in for it.
    const eventsFile = join(config.dataDir, 'events.jsonl');
    const events = jsonlEventSink(eventsFile, telemetry);
    const effects = localEffects({
      events,
      publish: resolveForSource(policy, 'api').events.publish,
      counters: createDynamoCounters({ client: effectsClient, tableName: config.tableName }),
      telemetry,
    });
    closers.push(() => effects.drain());
    const tableStore = createDynamoStore({
      client,
      tableName: config.tableName,
      cursorKey: deriveKey(secrets.pepper, 'cursor'),
    });
    const store = {
      ...tableStore,
      verdicts: withChangeFeed(tableStore.verdicts, (before, after, created) => {
        effects.onChange(before, after, created);
        enforcement.onChange(before, after);
      }),
    };
    const rescreenKey = Buffer.from(deriveKey(secrets.pepper, 'rescreen'), 'hex');
    const policies = runtimePolicies({ file: policy, versions: store.policies, now: Date.now, telemetry });
    // Enforcement at the providers: the same enforcer as in AWS, on the change feed instead of the stream. It records
    // through the feed too, so `Verdict Enforced` reaches events.jsonl (a change that records asks nothing more).
    const enforcement = backgroundEnforcer(
      createEnforcer({
        verdicts: store.verdicts,
        policy: policyDeps(policies).policy,
        providers: createProviders(providerSettings(config)),
        telemetry,
        now: Date.now,
      }),
      telemetry,
    );
    closers.push(() => enforcement.drain());
    const deps: AppDeps = {
      ...policyDeps(policies),
      store,
      defastra,
      hash: createHasher(secrets.pepper),
      telemetry,
      now: Date.now,
      apiAuth: { kind: 'bearer', tokens: async () => apiTokens },
      auth0HookSecrets: async () => auth0Secrets,
      stripeWebhookSecrets: async () => stripeSecrets,
      supabaseHookSecrets: async () => supabaseSecrets,
      hookSecrets: perHook((hook) => async () => hookSecrets[hook]),
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
      effects,
      enforcement,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
};
