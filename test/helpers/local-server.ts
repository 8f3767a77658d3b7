/**
 * Test helper: the real local server (`startLocalServer`, as `npm start` runs it) on a random port, with a
 * temporary DATA_DIR, a policy file written for the test, and the secrets it generated read back from
 * `dev-secrets.json`. The environment is built from scratch (never the caller's `process.env`), so a
 * developer's DEFASTRA_API_KEY can never make a test call the live API.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalServer, startLocalServer } from '../../local/server.js';
import { DEV_SECRETS_FILE, type DevSecrets } from '../../shared/config/dev-secrets.js';
import {
  HOOK_SECRET_SETTINGS,
  type ProviderHook,
  perHook,
  splitHookSecrets,
} from '../../shared/config/hook-secrets.js';
import { loadLocalConfig } from '../../shared/config/local.js';
import type { Sandbox } from '../../shared/defastra/sandbox/index.js';
import { silentTelemetry, type Telemetry } from '../../shared/observability/telemetry.js';
import { splitSecrets, splitSpaceSecrets } from '../../shared/runtime/deps.js';

export interface TestServerOptions {
  /** The policy document written to the test's POLICY_FILE (default `{}`: the built-in defaults). */
  policy?: unknown;
  /**
   * Extra environment (docs/local.md variables, `SANDBOX_*` faults). `undefined` values are dropped.
   * HOST, PORT, DATA_DIR and POLICY_FILE default to 127.0.0.1, 0, a temp dir and the written policy.
   */
  env?: Record<string, string | undefined>;
  /** Default: silent. */
  telemetry?: Telemetry;
}

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  dataDir: string;
  /** What the server generated or read in `DATA_DIR/dev-secrets.json`. */
  devSecrets: DevSecrets;
  /** The active values the server accepts (env override, else the generated one), comma lists split. */
  apiTokens: string[];
  auth0HookSecrets: string[];
  stripeWebhookSecrets: string[];
  supabaseHookSecrets: string[];
  /** The active secrets of each provider hook (`OKTA_HOOK_SECRET`..., else the generated one). */
  hookSecrets: Record<ProviderHook, string[]>;
  /** Shorthands: the first active value of each. */
  apiToken: string;
  auth0HookSecret: string;
  stripeWebhookSecret: string;
  /** The built-in Defastra sandbox; throws when the env selected live Defastra (DEFASTRA_API_KEY). */
  readonly sandbox: Sandbox;
  server: LocalServer;
  /** Stops the server (and its sandbox and store) and removes the temp DATA_DIR. */
  close(): Promise<void>;
}

/** Starts the local server for one test file; call `close()` in `afterAll`. */
export const startTestServer = async (options: TestServerOptions = {}): Promise<TestServer> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'signup-gate-test-'));
  try {
    const policyFile = join(dataDir, 'policy.json');
    await writeFile(policyFile, JSON.stringify(options.policy ?? {}));
    const env: Record<string, string> = {
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      POLICY_FILE: policyFile,
    };
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    const config = loadLocalConfig(env);
    const server = await startLocalServer(config, options.telemetry ?? silentTelemetry, env);
    let devSecrets: DevSecrets;
    try {
      devSecrets = JSON.parse(await readFile(join(config.dataDir, DEV_SECRETS_FILE), 'utf8')) as DevSecrets;
    } catch (error) {
      await server.close();
      throw error;
    }
    const active = (override: string | undefined, generated: string) => splitSecrets(override ?? generated);
    const apiTokens = active(config.apiToken, devSecrets.api_token);
    const auth0HookSecrets = active(config.auth0HookSecret, devSecrets.auth0_hook_secret);
    const stripeWebhookSecrets = active(config.stripeWebhookSecret, devSecrets.stripe_webhook_secret);
    const supabaseHookSecrets = splitSpaceSecrets(
      config.supabaseHookSecret ?? devSecrets.supabase_hook_secret,
    );
    return {
      url: server.url,
      dataDir: config.dataDir,
      devSecrets,
      apiTokens,
      auth0HookSecrets,
      stripeWebhookSecrets,
      supabaseHookSecrets,
      hookSecrets: perHook((hook) =>
        splitHookSecrets(
          hook,
          config.hookSecrets[hook] ?? devSecrets[HOOK_SECRET_SETTINGS[hook].devSecret as keyof DevSecrets],
        ),
      ),
      apiToken: apiTokens[0]!,
      auth0HookSecret: auth0HookSecrets[0]!,
      stripeWebhookSecret: stripeWebhookSecrets[0]!,
      get sandbox(): Sandbox {
        if (!server.sandbox) throw new Error('this test server calls live Defastra: it has no sandbox');
        return server.sandbox;
      },
      server,
      close: async () => {
        await server.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
};
