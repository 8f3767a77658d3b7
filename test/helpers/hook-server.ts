/**
 * Test helper for the provider hook routes: the real local server (`startLocalServer`, as `npm start` runs it, real
 * verifiers, the sandbox as Defastra) on a dynalite table the test can also read, with every log line kept. Gives
 * what the route suites check: stored verdicts (through the operator API), the raw table text and the log text (for
 * leaked identifiers), and a way to store a verdict whose `action` differs from its decision as monitor mode will.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { ProviderHook } from '../../shared/config/hook-secrets.js';
import type { Decision } from '../../shared/core/levels.js';
import { type Verdict, withVerdictDefaults } from '../../shared/core/verdict.js';
import { keyedBodyHash } from '../../shared/markers/run-once.js';
import { createHasher, deriveKey } from '../../shared/screening/hashing.js';
import { createDynamoStore } from '../../shared/store/dynamo/store.js';
import { recordingTelemetry } from '../auth0/support.js';
import { type DynaliteHandle, startDynalite } from './dynalite.js';
import { startTestServer, type TestServer } from './local-server.js';

/** Velocity off: the suites send many identities from one IP on purpose; velocity has its own suite. */
export const NO_VELOCITY = {
  velocity: {
    ip: { review: null, block: null },
    mailbox: { review: null, block: null },
    email_domain: { review: null, block: null },
  },
} as const;

export interface HookServer {
  server: TestServer;
  url: string;
  /** The active secrets of `hook` on this server (the generated one unless the env set others). */
  secrets: string[];
  lines: string[];
  post(path: string, body: string, headers: Record<string, string>): Promise<Response>;
  request(path: string, init: RequestInit): Promise<Response>;
  /** The stored verdicts of `source`, newest first, through `GET /verdicts`. */
  verdicts(source: string): Promise<Verdict[]>;
  verdictBy(source: string, sourceRef: string): Promise<Verdict | undefined>;
  /** Every item of the table, as DynamoDB JSON text. */
  tableText(): Promise<string>;
  /**
   * Stores a verdict of `source` decided `decision` but answered `action` (monitor mode's shape), already screened
   * under the run-once `key` for `body`: the route's replay of that request answers from it.
   */
  seedScreened(options: {
    source: ProviderHook;
    key: string;
    body: string;
    decision: Decision;
    action: Decision;
  }): Promise<Verdict>;
  close(): Promise<void>;
}

export interface HookServerOptions {
  hook: ProviderHook;
  policy?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
}

/** Starts the local server over a fresh dynalite table; `close()` in afterAll. */
export const startHookServer = async (options: HookServerOptions): Promise<HookServer> => {
  const telemetry = recordingTelemetry();
  const dynalite: DynaliteHandle = await startDynalite();
  let server: TestServer;
  try {
    server = await startTestServer({
      policy: options.policy ?? { cache_hours: 0, ...NO_VELOCITY },
      env: { DYNAMODB_ENDPOINT: dynalite.endpoint, TABLE_NAME: dynalite.tableName, ...options.env },
      telemetry,
    });
  } catch (error) {
    await dynalite.close();
    throw error;
  }
  const store = createDynamoStore({
    client: dynalite.client,
    tableName: dynalite.tableName,
    cursorKey: deriveKey(server.devSecrets.pepper, 'cursor'),
  });
  const request = (path: string, init: RequestInit) => fetch(`${server.url}${path}`, init);
  const verdicts = async (source: string): Promise<Verdict[]> => {
    const response = await request(`/verdicts?source=${source}&limit=100`, {
      headers: { Authorization: `Bearer ${server.apiToken}` },
    });
    if (response.status !== 200) throw new Error(`GET /verdicts: ${response.status}`);
    return ((await response.json()) as { items: Verdict[] }).items;
  };
  return {
    server,
    url: server.url,
    secrets: server.hookSecrets[options.hook],
    lines: telemetry.lines,
    request,
    post: (path, body, headers) => request(path, { method: 'POST', body, headers }),
    verdicts,
    verdictBy: async (source, sourceRef) => (await verdicts(source)).find((v) => v.source_ref === sourceRef),
    tableText: async () => {
      const { Items = [] } = await dynalite.client.send(new ScanCommand({ TableName: dynalite.tableName }));
      return JSON.stringify(Items);
    },
    seedScreened: async ({ source, key, body, decision, action }) => {
      const now = Date.now();
      const verdict = withVerdictDefaults({
        verdict_id: `01JDX3K8Y0Q5W6Z8N2M4P${String(now).slice(-5)}`,
        created_at: new Date(now).toISOString(),
        source,
        source_ref: key,
        subject_ref: null,
        decision,
        reasons: [{ code: 'email_risk', message: `email risk_level high reaches the ${decision} threshold` }],
        degraded: false,
        email: { masked: 'm***@example.com', risk_level: 'high' },
        phone: null,
        policy_version: 'monitored',
        review: null,
        action,
        mode: action === decision ? 'enforce' : 'monitor',
      });
      const expiresAt = Math.ceil(now / 1000) + 86_400;
      await store.verdicts.save({
        verdict,
        emailHash: null,
        phoneHash: null,
        facts: { runtimeLists: [], velocity: [] },
        expiresAt,
      });
      const claim = await store.markers.claim({
        scope: source,
        key,
        bodyHash: keyedBodyHash(createHasher(server.devSecrets.pepper), body),
        lockMs: 10_000,
        expiresAt,
        verdictId: verdict.verdict_id,
      });
      if (claim.state !== 'claimed') throw new Error(`marker ${key} already exists`);
      await store.markers.complete(source, key, claim.token, verdict.verdict_id);
      return verdict;
    },
    close: async () => {
      await server.close();
      await dynalite.close();
    },
  };
};

/** Fails when any of `raws` appears in `text` (answers, logs, the table). */
export const expectNoRaw = (text: string, raws: readonly string[], where: string): void => {
  for (const raw of raws) {
    if (text.toLowerCase().includes(raw.toLowerCase())) throw new Error(`${where} holds ${raw}`);
  }
};
