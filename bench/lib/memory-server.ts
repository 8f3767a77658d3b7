/**
 * A diagnostic twin of the local server: the same apps, routed by the same table (local/apps.ts), the same Defastra
 * client and sandbox, but the in-memory store instead of dynalite. The difference between the two tells how much of a
 * route's overhead is the store's round trips and how much is the app's own code. Its AppDeps are built by hand here, field for field as shared/runtime/deps.ts declares them.
 */

import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { localFetch } from '../../local/apps.js';
import { perHook } from '../../shared/config/hook-secrets.js';
import { createDefastraClient } from '../../shared/defastra/client.js';
import { type Sandbox, startSandbox } from '../../shared/defastra/sandbox/server.js';
import { silentTelemetry, type Telemetry } from '../../shared/observability/telemetry.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { policyDeps } from '../../shared/policy/source.js';
import { runtimePolicies } from '../../shared/policy-lifecycle/runtime.js';
import type { AppDeps } from '../../shared/runtime/deps.js';
import { createHasher, deriveKey } from '../../shared/screening/hashing.js';
import { createMemoryStore } from '../../shared/store/memory.js';

export interface MemoryServer {
  url: string;
  apiToken: string;
  auth0HookSecret: string;
  stripeWebhookSecret: string;
  supabaseHookSecret: string;
  sandbox: Sandbox;
  close(): Promise<void>;
}

export interface MemoryServerOptions {
  /** Fixed Defastra sandbox latency, in ms. */
  latencyMs: number;
  /** The apps' telemetry (default silent). */
  telemetry?: Telemetry;
  /** Runs around each request, e.g. to start and flush a Lambda-like invocation of the telemetry. */
  around?: (handle: () => Promise<Response>) => Promise<Response>;
}

const secret = (prefix: string): string => `${prefix}${randomBytes(24).toString('base64url')}`;

export const startMemoryServer = async (options: MemoryServerOptions): Promise<MemoryServer> => {
  const telemetry = options.telemetry ?? silentTelemetry;
  const sandbox = await startSandbox({ faults: { latencyMs: options.latencyMs } });
  const defastra = createDefastraClient({ baseUrl: sandbox.url, apiKey: async () => sandbox.apiKey });
  const pepper = randomBytes(32).toString('hex');
  const apiToken = secret('sg_bench_');
  const auth0HookSecret = secret('sg_auth0_bench_');
  const stripeWebhookSecret = secret('whsec_bench');
  const supabaseHookSecret = `v1,whsec_${randomBytes(32).toString('base64')}`;
  const store = createMemoryStore({ cursorKey: deriveKey(pepper, 'cursor') });
  const policies = runtimePolicies({
    file: parsePolicy({}),
    versions: store.policies,
    now: Date.now,
    telemetry,
  });
  const deps: AppDeps = {
    ...policyDeps(policies),
    store,
    defastra,
    hash: createHasher(pepper),
    telemetry,
    now: Date.now,
    apiAuth: { kind: 'bearer', tokens: async () => [apiToken] },
    auth0HookSecrets: async () => [auth0HookSecret],
    stripeWebhookSecrets: async () => [stripeWebhookSecret],
    supabaseHookSecrets: async () => [supabaseHookSecret],
    hookSecrets: perHook(() => async () => []),
    stripeApiKey: async () => null,
  };
  const route = localFetch(async () => deps, telemetry);
  const around = options.around;
  const fetch = around ? (request: Request) => around(async () => route(request)) : route;
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiToken,
    auth0HookSecret,
    stripeWebhookSecret,
    supabaseHookSecret,
    sandbox,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      defastra.close();
      await sandbox.close();
    },
  };
};
