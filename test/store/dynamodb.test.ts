/** The Store contract and the DynamoDB-only behaviours (layout, errors, no raw data) against dynalite. */

import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { DescribeTableCommand, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../shared/store/dynamo/client.js';
import { ensureTable } from '../../shared/store/dynamo/create-table.js';
import { TABLE_INDEXES } from '../../shared/store/dynamo/layout.js';
import { createDynamoStore } from '../../shared/store/dynamo/store.js';
import { verdictBodyText } from '../../shared/store/dynamo/verdict-body.js';
import { StoreUnavailableError } from '../../shared/store/errors.js';
import type { Store } from '../../shared/store/ports.js';
import { verdictShard } from '../../shared/store/shards.js';
import { type DynaliteHandle, startDynalite } from '../helpers/dynalite.js';
import { makeRecord, START_MS, verdictStoreContract } from './contract.js';
import { policyRepositoryContract } from './policy-contract.js';

const CURSOR_KEY = 'test-cursor-key';
let db: DynaliteHandle;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db?.close();
});

verdictStoreContract('DynamoDB store on dynalite', async (now) => {
  const tableName = await db.freshTable();
  return createDynamoStore({ client: db.client, tableName, cursorKey: CURSOR_KEY, now });
});

policyRepositoryContract(
  'DynamoDB store on dynalite',
  async () =>
    createDynamoStore({ client: db.client, tableName: await db.freshTable(), cursorKey: CURSOR_KEY })
      .policies,
);

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

/** Every store call, each expected to fail with StoreUnavailableError. */
const everyCall = (store: Store): Array<[string, () => Promise<unknown>]> => [
  ['saveVerdict', () => store.verdicts.save(makeRecord({ at: START_MS }))],
  ['getVerdict', () => store.verdicts.get('01JDX3K8Y0Q5W6Z8N2M4P6R8T0')],
  ['queryVerdicts', () => store.verdicts.query({ limit: 10 })],
  ['queryVerdicts by email', () => store.verdicts.query({ emailHash: 'h', limit: 10 })],
  [
    'claimMarker',
    () =>
      store.markers.claim({
        scope: 'stripe',
        key: 'evt',
        bodyHash: 'b',
        lockMs: 1000,
        expiresAt: 2e9,
        verdictId: 'V1',
      }),
  ],
  ['completeMarker', () => store.markers.complete('stripe', 'evt', 'token', 'V1')],
  ['releaseMarker', () => store.markers.release('stripe', 'evt', 'token')],
  ['getStoredVerdict', () => store.verdicts.getStored('01JDX3K8Y0Q5W6Z8N2M4P6R8T0')],
  [
    'listStoredVerdicts',
    () => store.verdicts.listStored({ since: '2026-01-01', until: '2026-02-01', max: 10 }),
  ],
  [
    'reviewVerdict',
    () =>
      store.verdicts.review('01JDX3K8Y0Q5W6Z8N2M4P6R8T0', {
        outcome: 'approve',
        note: null,
        reviewed_at: '2026-01-01T00:00:00.000Z',
        reviewed_by: 'local',
      }),
  ],
  [
    'prelude',
    () => store.screening.prelude({ cache: [{ kind: 'email', hash: 'h' }], lists: [], velocity: [] }),
  ],
  [
    'recordStats',
    () => store.counters.record({ hour: 'h', shardSeed: 's', counts: { allow: 1 }, expiresAt: 2e9 }),
  ],
  ['readStats', () => store.counters.read('a', 'b')],
  [
    'labelVerdict',
    () =>
      store.verdicts.label('01JDX3K8Y0Q5W6Z8N2M4P6R8T0', {
        label: 'fraud',
        source: 'manual',
        note: null,
        labelled_at: '2026-01-01T00:00:00.000Z',
        labelled_by: 'local',
      }),
  ],
  ['idsMatching', () => store.verdicts.idsMatching({ kind: 'subject_ref', hash: 'h' })],
  ['queryListEntries', () => store.lists.query({ limit: 10 })],
  ['getListEntry', () => store.lists.get('01JDX3K8Y0Q5W6Z8N2M4P6R8T0')],
  ['policyHead', () => store.policies.head()],
  ['listPolicyVersions', () => store.policies.list({ limit: 10 })],
];

describe('DynamoStore: item layout', () => {
  it('writes the verdict item with the index attributes the stack expects', async () => {
    const tableName = await db.freshTable();
    const store = createDynamoStore({ client: db.client, tableName, cursorKey: CURSOR_KEY });
    const record = makeRecord({
      at: START_MS,
      decision: 'review',
      source: 'stripe',
      emailHash: 'eh',
      phoneHash: 'ph',
    });
    await store.verdicts.save(record);
    const id = record.verdict.verdict_id;
    const { Item } = await db.client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: `V#${id}` }, sk: { S: 'V' } } }),
    );
    // The review, the outcome and the enforcement live in attributes of their own, written only once set.
    const { review: _review, outcome: _outcome, enforcement: _enforcement, ...body } = record.verdict;
    const shard = verdictShard(id);
    // The body is deflated into a binary attribute (verdict-body.ts): format tag 1, then the JSON.
    expect(Item?.body?.B?.[0]).toBe(1);
    expect(verdictBodyText(Item?.body)).toBe(JSON.stringify(body));
    expect(Item).toEqual({
      pk: { S: `V#${id}` },
      sk: { S: 'V' },
      body: Item?.body,
      facts: { S: JSON.stringify(record.facts) },
      email_pk: { S: 'E#eh' },
      phone_pk: { S: 'P#ph' },
      time_pk: { S: `T#${shard}` },
      decision_pk: { S: `D#review#${shard}` },
      review_pk: { S: `R#pending#${shard}` },
      review_state: { S: 'pending' },
      created_sk: { S: `${record.verdict.created_at}#${id}` },
      source: { S: 'stripe' },
      decision: { S: 'review' },
      expires_at: { N: String(record.expiresAt) },
    });
  });

  it('leaves out the hash attributes a verdict does not have (sparse indexes)', async () => {
    const tableName = await db.freshTable();
    const store = createDynamoStore({ client: db.client, tableName, cursorKey: CURSOR_KEY });
    const record = makeRecord({ at: START_MS, emailHash: null, phoneHash: null });
    await store.verdicts.save(record);
    const { Item } = await db.client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: `V#${record.verdict.verdict_id}` }, sk: { S: 'V' } },
      }),
    );
    expect(Item).not.toHaveProperty('email_pk');
    expect(Item).not.toHaveProperty('phone_pk');
    expect(Item).not.toHaveProperty('review_pk'); // an unreviewed allow is in no review partition
  });

  it('keeps an outcome label in attributes of its own, and a reference look-up item per reference', async () => {
    const tableName = await db.freshTable();
    const store = createDynamoStore({
      client: db.client,
      tableName,
      cursorKey: CURSOR_KEY,
      now: () => START_MS,
    });
    const record = makeRecord({ at: START_MS, refHashes: { subject_ref: 'sh', source_ref: 'rh' } });
    await store.verdicts.save(record);
    const id = record.verdict.verdict_id;
    await store.verdicts.label(id, {
      label: 'fraud',
      source: 'stripe',
      note: 'charge.dispute.created',
      labelled_at: '2026-11-26T07:00:00.000Z',
      labelled_by: 'stripe',
    });
    const { Items = [] } = await db.client.send(new ScanCommand({ TableName: tableName }));
    const verdictItem = Items.find((item) => item.pk?.S === `V#${id}`);
    expect(verdictItem?.outcome).toEqual({
      S: JSON.stringify({
        label: 'fraud',
        source: 'stripe',
        note: 'charge.dispute.created',
        labelled_by: 'stripe',
      }),
    });
    expect(verdictItem?.labelled_at).toEqual({ S: '2026-11-26T07:00:00.000Z' });
    expect(JSON.parse(verdictItem?.body?.S ?? '{}')).not.toHaveProperty('outcome');
    const sortKey = `${record.verdict.created_at}#${id}`;
    for (const pk of ['RF#subject_ref#sh', 'RF#source_ref#rh']) {
      expect(Items).toContainEqual({
        pk: { S: pk },
        sk: { S: sortKey },
        verdict_id: { S: id },
        expires_at: { N: String(record.expiresAt) },
      });
    }
    expect(Items).toHaveLength(3);
  });

  it('writes markers and cache entries with their own key shapes', async () => {
    const tableName = await db.freshTable();
    const store = createDynamoStore({
      client: db.client,
      tableName,
      cursorKey: CURSOR_KEY,
      now: () => START_MS,
    });
    const claim = await store.markers.claim({
      scope: 'auth0',
      key: 'idem-1',
      bodyHash: 'bh',
      lockMs: 13_000,
      expiresAt: 1_900_000_000,
      verdictId: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0',
    });
    if (claim.state !== 'claimed') throw new Error('expected a claim');
    await store.markers.complete('auth0', 'idem-1', claim.token, 'V1', 'none');
    await store.screening.putCachedResult(
      'phone',
      'ph',
      { riskLevel: 'low', riskScore: 1, requestId: 'R', checks: [], checkedAt: START_MS },
      1_800_000_000,
    );
    const { Items = [] } = await db.client.send(new ScanCommand({ TableName: tableName }));
    expect(Items).toContainEqual({
      pk: { S: 'M#auth0#idem-1' },
      sk: { S: 'M' },
      state: { S: 'done' },
      body_hash: { S: 'bh' },
      lock_until: { N: String(START_MS + 13_000) },
      lock_token: { S: claim.token },
      verdict_id: { S: 'V1' },
      write_back: { S: 'none' },
      expires_at: { N: '1900000000' },
    });
    expect(Items).toContainEqual(
      expect.objectContaining({ pk: { S: 'C#phone#ph' }, sk: { S: 'C' }, expires_at: { N: '1800000000' } }),
    );
  });
});

describe('DynamoStore: no raw identifiers', () => {
  it('stores nothing that contains a raw email or phone number', async () => {
    const tableName = await db.freshTable();
    const store = createDynamoStore({
      client: db.client,
      tableName,
      cursorKey: CURSOR_KEY,
      now: () => START_MS,
    });
    const raw = { email: 'jane.doe+signup@example.com', phone: '+14155550123' };
    // What the use case hands over: masked values and keyed hashes (here stand-ins) only.
    for (const [i, decision] of (['allow', 'review', 'block'] as const).entries()) {
      await store.verdicts.save(
        makeRecord({
          at: START_MS + i,
          decision,
          emailHash: `hmac-email-${i}`,
          phoneHash: `hmac-phone-${i}`,
        }),
      );
    }
    await store.screening.putCachedResult(
      'email',
      'hmac-email-0',
      { riskLevel: 'high', riskScore: 38, requestId: 'R1', checks: [], checkedAt: START_MS },
      2e9,
    );
    await store.markers.claim({
      scope: 'stripe',
      key: 'evt_1',
      bodyHash: 'sha-1',
      lockMs: 1000,
      expiresAt: 2e9,
      verdictId: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0',
    });
    const { Items = [] } = await db.client.send(new ScanCommand({ TableName: tableName }));
    expect(Items.length).toBe(5);
    // Deflated verdict bodies are read as their JSON, so the check sees what they hold.
    const readable = Items.map((item) => ({ ...item, body: verdictBodyText(item.body) }));
    const dump = JSON.stringify(readable).toLowerCase();
    expect(dump).toContain('j***@example.com');
    for (const needle of [raw.email, 'jane.doe', 'jane', raw.phone, '14155550123', '4155550123', '5550123']) {
      expect(dump).not.toContain(needle.toLowerCase());
    }
  });
});

describe('DynamoStore: a replay of one source', () => {
  it('reads at most about maxRead verdicts of the range, however few are of that source (audit L3)', async () => {
    const tableName = await db.freshTable();
    const client = createDynamoClient({ endpoint: db.endpoint, region: 'local', maxAttempts: 1 });
    let scanned = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'QueryCommand')
          scanned += Number((result.output as { ScannedCount?: number }).ScannedCount ?? 0);
        return result;
      },
      { step: 'initialize', name: 'countScanned' },
    );
    const store = createDynamoStore({ client, tableName, cursorKey: CURSOR_KEY, now: () => START_MS });
    const records = Array.from({ length: 300 }, (_, i) =>
      makeRecord({ at: START_MS - 3_600_000 + i * 1000 }),
    );
    for (let i = 0; i < records.length; i += 25) {
      await Promise.all(records.slice(i, i + 25).map((record) => store.verdicts.save(record)));
    }
    const answer = await store.verdicts.listStored({
      since: new Date(START_MS - 7_200_000).toISOString(),
      until: new Date(START_MS).toISOString(),
      source: 'stripe',
      max: 10,
      maxRead: 40,
    });
    expect(answer).toEqual({ records: [], truncated: true });
    // Each of the 16 shards reads its share (3) in pages of 2: at most 4 items each, never the 300 of the range.
    expect(scanned).toBeLessThanOrEqual(64);
    client.destroy();
  });
});

describe('DynamoStore: failures', () => {
  it('turns a closed port into StoreUnavailableError quickly, keeping the cause', async () => {
    const probe = createServer();
    const port = await listen(probe);
    await close(probe);
    const client = createDynamoClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'local',
      maxAttempts: 2,
    });
    const store = createDynamoStore({ client, tableName: 'missing', cursorKey: CURSOR_KEY });
    try {
      for (const [name, call] of everyCall(store)) {
        const started = Date.now();
        const error = await call().then(
          () => new Error(`${name} did not fail`),
          (caught: unknown) => caught,
        );
        expect(error, name).toBeInstanceOf(StoreUnavailableError);
        expect((error as Error).cause, name).toBeDefined();
        expect(Date.now() - started, name).toBeLessThan(5000);
      }
    } finally {
      client.destroy();
    }
  });

  it('turns a server that never answers into StoreUnavailableError within the request timeout', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    const port = await listen(silent);
    const client = createDynamoClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'local',
      maxAttempts: 2,
      requestTimeoutMs: 300,
    });
    const store = createDynamoStore({ client, tableName: 'missing', cursorKey: CURSOR_KEY });
    try {
      const started = Date.now();
      await expect(store.verdicts.get('01JDX3K8Y0Q5W6Z8N2M4P6R8T0')).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      client.destroy();
      for (const socket of sockets) socket.destroy();
      await close(silent);
    }
  });

  it('turns a missing table into StoreUnavailableError', async () => {
    const store = createDynamoStore({
      client: db.client,
      tableName: 'no-such-table',
      cursorKey: CURSOR_KEY,
    });
    await expect(store.verdicts.get('x')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('refuses an empty cursor key', () => {
    expect(() => createDynamoStore({ client: db.client, tableName: 't', cursorKey: '' })).toThrow();
  });

  it('refuses a cursor signed with another key', async () => {
    const tableName = await db.freshTable();
    const a = createDynamoStore({ client: db.client, tableName, cursorKey: 'key-a' });
    const b = createDynamoStore({ client: db.client, tableName, cursorKey: 'key-b' });
    for (let i = 0; i < 3; i++) await a.verdicts.save(makeRecord({ at: START_MS + i }));
    const { nextCursor } = await a.verdicts.query({ limit: 1 });
    expect(nextCursor).not.toBeNull();
    await expect(a.verdicts.query({ limit: 1, cursor: nextCursor as string })).resolves.toBeDefined();
    await expect(b.verdicts.query({ limit: 1, cursor: nextCursor as string })).rejects.toThrow('cursor');
  });
});

describe('ensureTable', () => {
  it('creates the three GSIs, and is a no-op on an existing table', async () => {
    const tableName = await db.freshTable();
    await ensureTable(db.client, tableName);
    const { Table } = await db.client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    const names = (Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort();
    expect(names).toEqual(
      Object.values(TABLE_INDEXES)
        .map((index) => index.name)
        .sort(),
    );
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
  });

  it('survives two callers creating the same table at once', async () => {
    const tableName = `race-${Date.now()}`;
    await Promise.all([
      ensureTable(db.client, tableName, { pollMs: 10 }),
      ensureTable(db.client, tableName, { pollMs: 10 }),
    ]);
    const { Table } = await db.client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
  });
});

describe('startDynalite with a temp-dir store', () => {
  it('works on disk and cleans up on close', async () => {
    const disk = await startDynalite({ storage: 'tempdir' });
    try {
      const store = createDynamoStore({
        client: disk.client,
        tableName: disk.tableName,
        cursorKey: CURSOR_KEY,
      });
      const record = makeRecord({ at: START_MS });
      await store.verdicts.save(record);
      expect(await store.verdicts.get(record.verdict.verdict_id)).toEqual(record.verdict);
    } finally {
      await disk.close();
    }
  });
});
