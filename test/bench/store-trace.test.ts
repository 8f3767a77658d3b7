/**
 * The bench's store instruments against a real dynalite through the real AWS SDK: the trace counts calls, tells
 * parallel calls (one round trip) from dependent ones (two), and keeps their bodies; the accountant prices them
 * from the items they carried; the local-only detector finds the marker read dynalite forces after a failed claim.
 */
import {
  BatchGetItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoItem, itemBytes, writeUnits } from '../../bench/lib/capacity.js';
import { keyOf, localOnlyCalls, StoreAccountant } from '../../bench/lib/store-cost.js';
import { longestChain, StoreTrace } from '../../bench/lib/store-trace.js';
import { type EmbeddedStore, listenDynalite } from '../../local/dynalite.js';
import { createDynamoClient } from '../../shared/store/dynamo/client.js';
import { ensureTable } from '../../shared/store/dynamo/create-table.js';

const TABLE = 'trace-test';
let store: EmbeddedStore;
let client: DynamoDBClient;
const trace = new StoreTrace();

beforeAll(async () => {
  store = await listenDynalite({ onRequest: trace.onRequest });
  client = createDynamoClient({ endpoint: store.endpoint, region: 'local', maxAttempts: 1 });
  await ensureTable(client, TABLE, { pollMs: 10 });
});

afterAll(async () => {
  client.destroy();
  await store.close();
});

const put = (item: DynamoItem, condition?: string) =>
  client.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: item,
      ...(condition ? { ConditionExpression: condition } : {}),
    }),
  );
const get = (key: DynamoItem) =>
  client.send(new GetItemCommand({ TableName: TABLE, Key: key, ConsistentRead: true }));
const key = (pk: string, sk = 'X'): DynamoItem => ({ pk: { S: pk }, sk: { S: sk } });

describe('longestChain', () => {
  it('counts calls that each started after the previous one answered', () => {
    expect(longestChain([])).toBe(0);
    expect(
      longestChain([
        { start: 0, end: 5 },
        { start: 1, end: 4 },
      ]),
    ).toBe(1);
    expect(
      longestChain([
        { start: 0, end: 5 },
        { start: 6, end: 8 },
        { start: 9, end: 10 },
      ]),
    ).toBe(3);
    // A long call beside a chain of two short ones: two round trips, not three, not one.
    expect(
      longestChain([
        { start: 0, end: 10 },
        { start: 0, end: 2 },
        { start: 3, end: 4 },
      ]),
    ).toBe(2);
  });
});

describe('StoreTrace on dynalite', () => {
  it('counts every call by operation, traced or not', async () => {
    const before = trace.byOperation().PutItem ?? 0;
    await put({ ...key('count'), v: { S: 'x' } });
    expect(trace.byOperation().PutItem).toBe(before + 1);
    expect(trace.total()).toBeGreaterThan(0);
  });

  it('sees calls sent together as one round trip', async () => {
    trace.begin();
    await Promise.all([
      put({ ...key('a'), v: { S: '1' } }),
      put({ ...key('b'), v: { S: '2' } }),
      get(key('a')),
    ]);
    const done = await trace.end();
    expect(done.calls.map((c) => c.operation).sort()).toEqual(['GetItem', 'PutItem', 'PutItem']);
    expect(done.chain).toBe(1);
    expect(done.intervals).toBe(1);
  });

  it('sees a call that waits for another answer as a second round trip', async () => {
    trace.begin();
    await put({ ...key('c'), v: { S: '1' } });
    await get(key('c'));
    const done = await trace.end();
    expect(done.chain).toBe(2);
    expect(done.intervals).toBe(2);
  });

  it('keeps each call’s request and response bodies and status', async () => {
    trace.begin();
    await put({ ...key('d'), v: { S: 'body' } });
    const done = await trace.end();
    expect(done.calls).toHaveLength(1);
    const call = done.calls[0]!;
    expect(call.status).toBe(200);
    expect((call.request as { Item: DynamoItem }).Item.v).toEqual({ S: 'body' });
    expect(call.end).toBeGreaterThanOrEqual(call.start);
  });

  it('refuses to open a second traced request', async () => {
    trace.begin();
    expect(() => trace.begin()).toThrow(/already open/);
    await trace.end();
    await expect(trace.end()).rejects.toThrow(/no traced request/);
  });
});

describe('StoreAccountant on traced calls', () => {
  const traced = async (work: () => Promise<unknown>) => {
    trace.begin();
    await work().catch(() => undefined);
    return (await trace.end()).calls;
  };

  it('prices a put on the item it carried, plus each index the item enters', async () => {
    const accountant = new StoreAccountant();
    const verdict: DynamoItem = {
      ...key('V#01ACC', 'V'),
      body: { S: 'x'.repeat(1200) },
      time_pk: { S: 'T#1' },
      email_pk: { S: 'E#h' },
      created_sk: { S: '2026-11-30T00:00:00.000Z#01ACC' },
    };
    const [call] = await traced(() => put(verdict));
    const cost = accountant.price(call!);
    const units = writeUnits(itemBytes(verdict));
    expect(units).toBe(2);
    expect(cost).toMatchObject({ wru: units * 3, indexWru: units * 2, rru: 0 });
  });

  it('prices reads: a missing item still costs a unit, a batch per item', async () => {
    const accountant = new StoreAccountant();
    await put({ ...key('big'), v: { S: 'y'.repeat(5000) } });
    const [single] = await traced(() => get(key('nothing-here')));
    expect(accountant.price(single!).rru).toBe(1);
    const [batch] = await traced(() =>
      client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [TABLE]: { Keys: [key('big'), key('nothing-here'), key('a')], ConsistentRead: true },
          },
        }),
      ),
    );
    expect(accountant.price(batch!).rru).toBe(2 + 1 + 1);
  });

  it('prices a failed conditional put on the table only, and an update once the final item is known', async () => {
    const accountant = new StoreAccountant();
    const marker: DynamoItem = { ...key('M#api#k', 'M'), state: { S: 'in_progress' } };
    const [claim] = await traced(() => put(marker, 'attribute_not_exists(pk)'));
    expect(accountant.price(claim!).wru).toBe(1);
    const [lost] = await traced(() => put(marker, 'attribute_not_exists(pk)'));
    expect(lost!.status).toBe(400);
    expect(accountant.price(lost!)).toMatchObject({ wru: 1, indexWru: 0 });

    const [update] = await traced(() =>
      client.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: key('M#api#k', 'M'),
          UpdateExpression: 'SET note = :n',
          ExpressionAttributeValues: { ':n': { S: 'z'.repeat(1500) } },
        }),
      ),
    );
    const cost = accountant.price(update!);
    expect(cost.wru).toBeNull();
    const final = (await get(key('M#api#k', 'M'))).Item as DynamoItem;
    accountant.settle(new Map([[keyOf(final), final]]));
    expect(cost.wru).toBe(writeUnits(itemBytes(final)));
    expect(cost.wru).toBe(2);
  });

  it('flags the marker read that follows a failed claim as local-only (DynamoDB returns the item with the failure)', async () => {
    const marker: DynamoItem = { ...key('M#api#local', 'M'), state: { S: 'done' } };
    await put(marker);
    const calls = await traced(async () => {
      await put(marker, 'attribute_not_exists(pk)').catch(() => undefined);
      await get(key('M#api#local', 'M'));
      await get(key('V#someverdict', 'V'));
    });
    const local = localOnlyCalls(calls);
    expect([...local].map((c) => c.operation)).toEqual(['GetItem']);
    expect(keyOf(([...local][0]!.request as { Key: DynamoItem }).Key)).toBe('M#api#local\nM');
    expect(longestChain(calls)).toBe(3);
    expect(longestChain(calls.filter((c) => !local.has(c)))).toBe(2);
  });

  it('flags the change feed counting a verdict after its write as local-only, not a counter beside the write', async () => {
    const count = (hour: string) =>
      client.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: key(`ST#${hour}#0`, 'ST'),
          UpdateExpression: 'ADD screenings :one',
          ExpressionAttributeValues: { ':one': { N: '1' } },
        }),
      );
    const calls = await traced(async () => {
      // A screening under a spend cap counts itself beside its verdict write (in parallel: stays) ...
      await Promise.all([put({ ...key('V#counted', 'V'), body: { S: '{}' } }), count('h1')]);
      // ... the local change feed counts a verdict once its write answered (in AWS: the stream consumer).
      await count('h2');
    });
    const local = localOnlyCalls(calls);
    expect([...local].map((c) => keyOf((c.request as { Key: DynamoItem }).Key))).toEqual(['ST#h2#0\nST']);
    expect(longestChain(calls.filter((c) => !local.has(c)))).toBe(1);
  });
});
