/** Test helper: real AppDeps in-process (sandbox Defastra over HTTP, a store, a pepper) for app-level tests. */
import { type ProviderHook, perHook } from '../../shared/config/hook-secrets.js';
import { createDefastraClient, type DefastraClient } from '../../shared/defastra/client.js';
import { type Sandbox, startSandbox } from '../../shared/defastra/sandbox/server.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { type Policy, parsePolicy } from '../../shared/policy/schema.js';
import { policyDeps } from '../../shared/policy/source.js';
import { runtimePolicies } from '../../shared/policy-lifecycle/runtime.js';
import type { AppDeps, DepsProvider } from '../../shared/runtime/deps.js';
import { createHasher, deriveKey } from '../../shared/screening/hashing.js';
import { createDynamoStore } from '../../shared/store/dynamo/store.js';
import { createMemoryStore } from '../../shared/store/memory.js';
import type { Store } from '../../shared/store/ports.js';
import { type DynaliteHandle, startDynalite } from './dynalite.js';

export const TEST_PEPPER = 'test-pepper-0123456789abcdef0123456789abcdef';
export const TEST_API_TOKEN = 'test-api-token-0123456789';
export const TEST_AUTH0_SECRET = 'test-auth0-secret-0123456789';
export const TEST_STRIPE_SECRET = 'whsec_test_0123456789abcdef';
/** A Standard Webhooks secret in Supabase's display form (32 bytes of base64 after `whsec_`). */
export const TEST_SUPABASE_SECRET = 'v1,whsec_dGVzdC1zdXBhYmFzZS1zZWNyZXQtMDEyMzQ1Njc4OWFiY2Q=';
/** One secret per provider hook, each in the form its sender shows it (Clerk: Svix's `whsec_<base64>`). */
export const TEST_HOOK_SECRETS: Record<ProviderHook, string> = {
  okta: 'test-okta-secret-0123456789',
  kratos: 'test-kratos-secret-0123456789',
  paddle: 'pdl_ntfset_test_0123456789abcdef',
  clerk: 'whsec_dGVzdC1jbGVyay1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZg==',
  firebase: 'test-firebase-secret-0123456789',
  workos: 'test-workos-secret-0123456789',
};

export interface TestDeps {
  deps: AppDeps;
  provider: DepsProvider;
  sandbox: Sandbox;
  defastra: DefastraClient;
  dynalite: DynaliteHandle | undefined;
  close(): Promise<void>;
}

export interface TestDepsOptions {
  /** The policy document (merged over the defaults). */
  policy?: unknown;
  /** `dynamo` (default) runs dynalite; `memory` uses the in-memory adapter. */
  store?: 'dynamo' | 'memory';
  /** Replace parts of the deps (e.g. apiAuth). */
  overrides?: Partial<AppDeps>;
}

/** Starts a sandbox (and dynalite) and wires real deps around them. Call `close()` in afterAll. */
export const createTestDeps = async (options: TestDepsOptions = {}): Promise<TestDeps> => {
  const policy: Policy = parsePolicy(options.policy ?? {});
  const sandbox = await startSandbox();
  const defastra = createDefastraClient({
    baseUrl: sandbox.url,
    apiKey: async () => sandbox.apiKey,
    backoffMs: 5,
  });
  let dynalite: DynaliteHandle | undefined;
  let store: Store;
  if (options.store === 'memory') {
    store = createMemoryStore({ cursorKey: deriveKey(TEST_PEPPER, 'cursor') });
  } else {
    dynalite = await startDynalite();
    store = createDynamoStore({
      client: dynalite.client,
      tableName: dynalite.tableName,
      cursorKey: deriveKey(TEST_PEPPER, 'cursor'),
    });
  }
  const deps: AppDeps = {
    ...policyDeps(
      runtimePolicies({ file: policy, versions: store.policies, now: Date.now, telemetry: silentTelemetry }),
    ),
    store,
    defastra,
    hash: createHasher(TEST_PEPPER),
    telemetry: silentTelemetry,
    now: Date.now,
    apiAuth: { kind: 'bearer', tokens: async () => [TEST_API_TOKEN] },
    auth0HookSecrets: async () => [TEST_AUTH0_SECRET],
    stripeWebhookSecrets: async () => [TEST_STRIPE_SECRET],
    supabaseHookSecrets: async () => [TEST_SUPABASE_SECRET],
    hookSecrets: perHook((hook) => async () => [TEST_HOOK_SECRETS[hook]]),
    stripeApiKey: async () => null,
    rescreenKey: async () => Buffer.from(deriveKey(TEST_PEPPER, 'rescreen'), 'hex'),
    ...options.overrides,
  };
  return {
    deps,
    provider: async () => deps,
    sandbox,
    defastra,
    dynalite,
    close: async () => {
      defastra.close();
      await sandbox.close();
      await dynalite?.close();
    },
  };
};
