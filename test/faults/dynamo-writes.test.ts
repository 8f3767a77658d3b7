/**
 * One Stripe event, one verdict, under any single failed write (audit M4): a fault proxy in front of dynalite fails
 * the verdict write or the marker's completion, either before it reaches the store (nothing written) or after (written,
 * but the answer lost), on the first delivery; Stripe then delivers the event again, as it does. Every case ends with
 * exactly one verdict for the event and a marker that answers every later delivery with it (none stuck in progress).
 * The store's clock is the test's, so a lock lapses without waiting for it.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripeHookApp } from '../../functions/stripe-hook/app.js';
import type { Verdict } from '../../shared/core/verdict.js';
import type { AppDeps } from '../../shared/runtime/deps.js';
import { deriveKey } from '../../shared/screening/hashing.js';
import { createDynamoClient } from '../../shared/store/dynamo/client.js';
import { itemToVerdict } from '../../shared/store/dynamo/codec.js';
import { createDynamoStore } from '../../shared/store/dynamo/store.js';
import { createTestDeps, TEST_PEPPER, TEST_STRIPE_SECRET, type TestDeps } from '../helpers/deps.js';
import { type DynamoCall, type FaultProxy, startFaultProxy } from '../helpers/dynamo-fault-proxy.js';
import { customerCreated, sign } from '../stripe/fixtures/events.js';

let t: TestDeps;
let proxy: FaultProxy;
let deps: AppDeps;
const clock = { skewMs: 0 };
const now = () => Date.now() + clock.skewMs;

beforeAll(async () => {
  t = await createTestDeps({ policy: { budget_ms: { stripe: 2000 } } });
  proxy = await startFaultProxy(t.dynalite!.endpoint);
  // One attempt per call: the fault is the failure the app sees (a retry would meet the same armed fault anyway).
  const client = createDynamoClient({ endpoint: proxy.endpoint, region: 'local', maxAttempts: 1 });
  const store = createDynamoStore({
    client,
    tableName: t.dynalite!.tableName,
    cursorKey: deriveKey(TEST_PEPPER, 'cursor'),
    now,
  });
  deps = { ...t.deps, store, now };
});
afterAll(async () => {
  await proxy?.close();
  await t?.close();
});

const app = () => createStripeHookApp(async () => deps);

const deliver = async (event: Record<string, unknown>) => {
  const delivery = sign(event, TEST_STRIPE_SECRET, Math.floor(now() / 1000));
  const res = await app().request('/hooks/stripe', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': delivery.signature },
    body: delivery.payload,
  });
  return { status: res.status, body: (await res.json()) as Verdict & { duplicate?: boolean } };
};

/** Every verdict item of the table for one event, read past the proxy. */
const verdictsOf = async (eventId: string): Promise<string[]> => {
  const { Items = [] } = await t.dynalite!.client.send(new ScanCommand({ TableName: t.dynalite!.tableName }));
  return Items.filter((item) => String(unmarshall(item).pk).startsWith('V#'))
    .map((item) => itemToVerdict(item))
    .filter((verdict) => verdict.source_ref === eventId)
    .map((verdict) => verdict.verdict_id);
};

const keyOf = (call: DynamoCall, field: 'Item' | 'Key'): string =>
  String((call.body[field] as { pk?: { S?: string } } | undefined)?.pk?.S ?? '');
const isVerdictWrite = (call: DynamoCall) =>
  call.operation === 'PutItem' && keyOf(call, 'Item').startsWith('V#');
const isCompletion = (call: DynamoCall) =>
  call.operation === 'UpdateItem' &&
  keyOf(call, 'Key').startsWith('M#stripe#') &&
  JSON.stringify(call.body.ExpressionAttributeValues ?? {}).includes('"done"');

const LOCK_MS = 2000 + 5000;

describe.each([
  ['the verdict write fails before it is stored', isVerdictWrite, 'before' as const],
  ['the verdict write is stored but its answer is lost', isVerdictWrite, 'after' as const],
  ['the marker completion fails before it is stored', isCompletion, 'before' as const],
  ['the marker completion is stored but its answer is lost', isCompletion, 'after' as const],
])('%s', (_name, when, mode) => {
  it('one Stripe event gets exactly one verdict, and no marker is left stuck', async () => {
    const event = customerCreated({
      email: `m4.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`,
    });
    const eventId = String(event.id);
    proxy.arm({ when, mode });
    const first = await deliver(event);
    const failures = proxy.failed().length;
    proxy.clear();
    expect(failures, 'the fault struck').toBeGreaterThan(0);

    if (first.status !== 200) {
      // The verdict write failed: Stripe is told to deliver again, and nothing is half done.
      expect(first.status).toBe(503);
    } else {
      // The verdict is stored; only the marker's completion failed. Until the lock lapses a redelivery is told to
      // come back later (409), never screened a second time.
      expect(first.body.duplicate).toBe(false);
      const early = await deliver(event);
      expect([200, 409]).toContain(early.status);
      clock.skewMs += LOCK_MS + 1;
    }

    const second = await deliver(event);
    expect(second.status).toBe(200);
    const third = await deliver(event);
    expect(third.status).toBe(200);
    expect(third.body).toMatchObject({ verdict_id: second.body.verdict_id, duplicate: true });
    if (first.status === 200) expect(second.body.verdict_id).toBe(first.body.verdict_id);

    expect(await verdictsOf(eventId)).toEqual([second.body.verdict_id]);
  });
});
