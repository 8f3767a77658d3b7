/** Shared pieces of the Supabase suites: the hook app over real deps, signed deliveries, stored verdicts. */
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { createSupabaseHookApp, SUPABASE_HOOK_PATH } from '../../functions/supabase-hook/app.js';
import type { Verdict } from '../../shared/core/verdict.js';
import { signStandardWebhook } from '../../shared/webhooks/standard-webhooks.js';
import { fixture, NO_VELOCITY, nowSec, recordingTelemetry } from '../auth0/support.js';
import { createTestDeps, TEST_SUPABASE_SECRET, type TestDeps } from '../helpers/deps.js';

export { fixture, NO_VELOCITY, nowSec, recordingTelemetry };
export const HOOK_PATH = SUPABASE_HOOK_PATH;
export const SECRET = TEST_SUPABASE_SECRET;

export type Payload = { metadata: Record<string, unknown>; user: Record<string, unknown> };

/** Supabase's documented before-user-created payload, with the given user fields and metadata. */
export const payload = (user: Record<string, unknown>, metadata: Record<string, unknown> = {}): Payload => {
  const base = fixture<Payload>('supabase/before-user-created.json');
  return {
    metadata: { ...base.metadata, uuid: randomUUID(), ...metadata },
    user: { ...base.user, id: randomUUID(), ...user },
  };
};

/** A delivery as Supabase Auth makes it: a fresh `webhook-id` (a UUID), now, every active secret signing. */
export const delivery = (
  body: string,
  options: { id?: string; t?: number; secrets?: readonly string[] } = {},
): Record<string, string> => ({
  'Content-Type': 'application/json',
  ...signStandardWebhook(
    options.secrets ?? [SECRET],
    options.id ?? randomUUID(),
    options.t ?? nowSec(),
    body,
  ),
});

export interface HookTarget {
  t: TestDeps;
  telemetry: ReturnType<typeof recordingTelemetry>;
  request(init: RequestInit, path?: string): Promise<Response>;
  post(body: string, headers: Record<string, string>): Promise<Response>;
  /** The stored verdict whose source_ref is `key` (the payload's metadata.uuid, else the webhook-id). */
  verdictFor(key: string): Promise<Verdict | undefined>;
  /** Every item of the table, as DynamoDB JSON text. */
  tableText(): Promise<string>;
  close(): Promise<void>;
}

/** The Supabase hook app over real deps (dynalite store, sandbox Defastra over HTTP). */
export const hookTarget = async (
  options: { policy?: Record<string, unknown>; secrets?: string[] } = {},
): Promise<HookTarget> => {
  const telemetry = recordingTelemetry();
  const t = await createTestDeps({
    policy: options.policy ?? { cache_hours: 0, ...NO_VELOCITY },
    overrides: {
      telemetry,
      ...(options.secrets ? { supabaseHookSecrets: async () => options.secrets! } : {}),
    },
  });
  const app = createSupabaseHookApp(t.provider, telemetry);
  const request = async (init: RequestInit, path = HOOK_PATH) => app.request(path, init);
  return {
    t,
    telemetry,
    request,
    post: (body, headers) => request({ method: 'POST', body, headers }),
    verdictFor: async (key) => {
      const page = await t.deps.store.verdicts.query({ source: 'supabase', limit: 100 });
      return page.items.find((v) => v.source_ref === key);
    },
    tableText: async () => {
      const { Items = [] } = await t.dynalite!.client.send(
        new ScanCommand({ TableName: t.dynalite!.tableName }),
      );
      return JSON.stringify(Items);
    },
    close: t.close,
  };
};
