/**
 * A diagnostic twin of the local server: the same API app, the same Defastra client and sandbox, but the
 * in-memory VerdictStore instead of dynalite. The difference between the two tells how much of a route's
 * overhead is the store's round trips and how much is the app's own code.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { createApiApp } from '../../functions/api/app.js';
import { createDefastraClient } from '../../shared/defastra/client.js';
import { type Sandbox, startSandbox } from '../../shared/defastra/sandbox/server.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import type { AppDeps } from '../../shared/runtime/deps.js';
import { createHasher, deriveKey } from '../../shared/screening/hashing.js';
import { MemoryVerdictStore } from '../../shared/store/memory.js';

export interface MemoryServer {
  url: string;
  apiToken: string;
  sandbox: Sandbox;
  close(): Promise<void>;
}

export const startMemoryServer = async (latencyMs: number): Promise<MemoryServer> => {
  const sandbox = await startSandbox({ faults: { latencyMs } });
  const defastra = createDefastraClient({ baseUrl: sandbox.url, apiKey: async () => sandbox.apiKey });
  const pepper = randomBytes(32).toString('hex');
  const apiToken = `sg_bench_${randomBytes(16).toString('hex')}`;
  const deps: AppDeps = {
    policy: parsePolicy({}),
    store: new MemoryVerdictStore({ cursorKey: deriveKey(pepper, 'cursor') }),
    defastra,
    hash: createHasher(pepper),
    telemetry: silentTelemetry,
    now: Date.now,
    apiAuth: { kind: 'bearer', tokens: async () => [apiToken] },
    auth0HookSecrets: async () => [],
    stripeWebhookSecrets: async () => [],
    supabaseHookSecrets: async () => [],
    stripeApiKey: async () => null,
  };
  const app = createApiApp(async () => deps, silentTelemetry);
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiToken,
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
