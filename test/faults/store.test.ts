/**
 * The store unreachable: dynalite stopped in the middle of a test. The routes must answer a clear 503 in the
 * contract's shape (`store_unavailable` with `Retry-After`), with no stack trace or path, leave
 * no half-written verdict, and work again once the store is back.
 *
 * How the store comes back:
 * - "restart, data lost": the first dynalite is the helper's (`startDynalite({ storage: 'tempdir' })`), stopped
 *   with `handle.close()`, which also deletes its directory. A new dynalite is then started on the same port
 *   (the helper always picks a random port, so this one is started directly) with a new temp directory, and
 *   the table is created again. The deps are not rebuilt: the same store client reconnects to the same
 *   endpoint, as a Lambda's client would after a DynamoDB outage.
 * - "restart, data kept": a dynalite whose directory this test owns, stopped and started again on the same
 *   port and directory. What the outage left behind is then visible: verdicts written before it are there,
 *   nothing from the failed requests is, and an Idempotency-Key caught by the outage is 409 `in_progress`
 *   until its lock lapses (the route's budget plus 5 s; the store's clock is moved forward for that).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../functions/api/app.js';
import { type EmbeddedStore, listenDynalite } from '../../local/dynalite.js';
import type { Verdict } from '../../shared/core/verdict.js';
import type { AppDeps } from '../../shared/runtime/deps.js';
import { deriveKey } from '../../shared/screening/hashing.js';
import { createDynamoClient } from '../../shared/store/dynamo/client.js';
import { ensureTable } from '../../shared/store/dynamo/create-table.js';
import { createDynamoStore } from '../../shared/store/dynamo/store.js';
import type { Store } from '../../shared/store/ports.js';
import { createTestDeps, TEST_API_TOKEN, TEST_PEPPER, type TestDeps } from '../helpers/deps.js';
import { startDynalite } from '../helpers/dynalite.js';

const BUDGET_MS = 1_000;
const auth = { Authorization: `Bearer ${TEST_API_TOKEN}` };
let n = 0;
const freshEmail = () => `store.${process.pid}.${++n}@example.org`;

/** Sandbox and pepper from the usual helper; the store is replaced per test. */
let t: TestDeps;
beforeAll(async () => {
  t = await createTestDeps({ store: 'memory', policy: { budget_ms: { api: BUDGET_MS } } });
});
afterAll(() => t.close());

/** A store client that gives up fast, so an outage answers in well under a second. */
const storeClient = (endpoint: string): DynamoDBClient =>
  createDynamoClient({
    endpoint,
    region: 'local',
    maxAttempts: 1,
    connectionTimeoutMs: 300,
    requestTimeoutMs: 1_500,
  });

const appWith = (store: Store) => {
  const deps: AppDeps = { ...t.deps, store };
  return createApiApp(async () => deps);
};

type App = ReturnType<typeof createApiApp>;
const post = (app: App, body: unknown, headers: Record<string, string> = {}) =>
  app.request('/screen', {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const get = (app: App, path: string) => app.request(path, { headers: auth });

/** The contract's 503: `store_unavailable` with `Retry-After`, says so plainly, nothing internal leaks. */
const expectStoreDown = async (res: Response, rawEmail?: string) => {
  expect(res.status).toBe(503);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const text = await res.text();
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe('store_unavailable');
  expect(body.error.message).toMatch(/store.*unavailable/i);
  expect(text).not.toMatch(
    /\n\s+at |\bat .*\(|node_modules|\/work\/|file:\/\/|\.ts:\d+|ECONNREFUSED|verdict_id/,
  );
  if (rawEmail) expect(text).not.toContain(rawEmail);
};

describe('the store goes away and comes back (restart, data lost)', () => {
  it('answers 503 store_unavailable while down, mid-request included, and recovers on the same endpoint', async () => {
    const first = await startDynalite({ storage: 'tempdir' });
    const port = Number(new URL(first.endpoint).port);
    const client = storeClient(first.endpoint);
    const store = createDynamoStore({
      client,
      tableName: first.tableName,
      cursorKey: deriveKey(TEST_PEPPER, 'c'),
    });
    const app = appWith(store);
    let second: EmbeddedStore | undefined;
    const dir = await mkdtemp(join(tmpdir(), 'dynalite-again-'));
    try {
      const before = await post(app, { email: freshEmail() });
      expect(before.status).toBe(200);

      // Stop the store while a screening waits for Defastra: its writes then fail.
      t.sandbox.setFaults({ latencyMs: 300 });
      const email = freshEmail();
      const inFlight = post(app, { email });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await first.close();
      await expectStoreDown(await inFlight, email);
      t.sandbox.clearFaults();

      // While it is down, every route says so, quickly.
      const started = performance.now();
      await expectStoreDown(await post(app, { email: freshEmail() }));
      await expectStoreDown(await get(app, `/verdicts/${((await before.json()) as Verdict).verdict_id}`));
      await expectStoreDown(await get(app, '/verdicts?limit=5'));
      expect(performance.now() - started).toBeLessThan(5_000);

      // Back on the same port (new directory, so the table is created again): the same deps work again.
      second = await listenDynalite({ path: dir, port });
      await ensureTable(client, first.tableName, { pollMs: 10 });
      const after = await post(app, { email: freshEmail() });
      expect(after.status).toBe(200);
      const verdict = (await after.json()) as Verdict;
      const read = await get(app, `/verdicts/${verdict.verdict_id}`);
      expect(read.status).toBe(200);
      expect(await read.json()).toEqual(verdict);
    } finally {
      t.sandbox.clearFaults();
      client.destroy();
      if (second) await second.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the store goes away and comes back (restart, data kept)', () => {
  let dir: string;
  let server: EmbeddedStore | undefined;
  let port: number;
  let client: DynamoDBClient;
  let skewMs = 0;
  let store: Store;
  const tableName = 'verdicts-outage';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dynalite-kept-'));
    server = await listenDynalite({ path: dir });
    port = Number(new URL(server.endpoint).port);
    client = storeClient(server.endpoint);
    await ensureTable(client, tableName, { pollMs: 10 });
    store = createDynamoStore({
      client,
      tableName,
      cursorKey: deriveKey(TEST_PEPPER, 'c'),
      now: () => Date.now() + skewMs,
    });
  });
  afterAll(async () => {
    client.destroy();
    await server?.close();
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps what was written, writes nothing half-way, and releases an interrupted Idempotency-Key by its lock', async () => {
    const app = appWith(store);
    const kept = (await (await post(app, { email: freshEmail() })).json()) as Verdict;

    t.sandbox.setFaults({ latencyMs: 300 });
    const key = `outage-${process.pid}-${++n}`;
    const body = { email: freshEmail(), reference: 'outage' };
    const inFlight = post(app, body, { 'Idempotency-Key': key });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server?.close();
    server = undefined;
    await expectStoreDown(await inFlight, body.email);
    t.sandbox.clearFaults();

    server = await listenDynalite({ path: dir, port });

    // The verdict from before the outage is there, and only it: the failed request left no verdict.
    const list = await get(app, '/verdicts?limit=100');
    expect(list.status).toBe(200);
    const page = (await list.json()) as { items: Verdict[] };
    expect(page.items.map((v) => v.verdict_id)).toEqual([kept.verdict_id]);
    expect(await (await get(app, `/verdicts/${kept.verdict_id}`)).json()).toEqual(kept);

    // The key's claim was written before the outage and could not be released during it: a clear 409
    // until its lock lapses (budget + 5 s), then the request runs normally.
    const retry = await post(app, body, { 'Idempotency-Key': key });
    expect(retry.status).toBe(409);
    expect(((await retry.json()) as { error: { code: string } }).error.code).toBe('in_progress');
    skewMs = BUDGET_MS + 5_000 + 1_000;
    const later = await post(app, body, { 'Idempotency-Key': key });
    expect(later.status).toBe(200);
    const verdict = (await later.json()) as Verdict;
    expect(verdict.source_ref).toBe('outage');
    expect(await (await get(app, `/verdicts/${verdict.verdict_id}`)).json()).toEqual(verdict);
  });
});
