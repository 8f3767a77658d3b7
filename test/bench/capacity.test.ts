/**
 * The bench's DynamoDB capacity calculator (bench/lib/capacity.ts) against the rules and worked examples of the
 * DynamoDB developer guide ("Item sizes and formats", "DynamoDB read and write operations", "Global secondary
 * indexes: writes"), and its item sizes against dynalite's own size function on a verdict-shaped item.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  type DynamoItem,
  failedWriteCost,
  type IndexKeys,
  indexWrites,
  itemBytes,
  itemReadUnits,
  itemWriteCost,
  numberBytes,
  queryReadUnits,
  readUnits,
  valueBytes,
  writeUnits,
} from '../../bench/lib/capacity.js';

const KB = 1024;

describe('item size (guide: "Item sizes and formats")', () => {
  it('a string is its name plus its UTF-8 bytes', () => {
    expect(itemBytes({ Id: { S: 'abc' } })).toBe(2 + 3);
    expect(itemBytes({ name: { S: 'é' } })).toBe(4 + 2); // é is two UTF-8 bytes
    expect(itemBytes({ clé: { S: '€' } })).toBe(4 + 3);
  });

  it('a number is about 1 byte per two significant digits plus 1, leading and trailing zeros trimmed', () => {
    expect(numberBytes('123')).toBe(3);
    expect(numberBytes('1234')).toBe(3);
    expect(numberBytes('1000')).toBe(2);
    expect(numberBytes('0.0012')).toBe(2);
    expect(numberBytes('-7')).toBe(2);
    expect(numberBytes('0')).toBe(1);
    expect(numberBytes('12345678901234567890123456789012345678')).toBe(20); // 38 digits, the most DynamoDB keeps
    expect(itemBytes({ expires_at: { N: '1764460800' } })).toBe(10 + 5);
    expect(() => numberBytes('12a')).toThrow(RangeError);
  });

  it('binary counts its raw bytes, not its base64 text; null and Boolean are 1 byte', () => {
    expect(valueBytes({ B: new Uint8Array(10) })).toBe(10);
    expect(valueBytes({ B: Buffer.from([1, 2, 3]).toString('base64') } as never)).toBe(3);
    expect(itemBytes({ ok: { BOOL: true }, gone: { NULL: true } })).toBe(2 + 1 + 4 + 1);
  });

  it('a list or map takes 3 bytes plus 1 byte per element; an empty one is 3 bytes', () => {
    expect(valueBytes({ L: [] })).toBe(3);
    expect(valueBytes({ M: {} })).toBe(3);
    expect(valueBytes({ L: [{ S: 'ab' }, { N: '1' }] })).toBe(3 + (1 + 2) + (1 + 2));
    expect(valueBytes({ M: { a: { S: 'x' }, bb: { BOOL: false } } })).toBe(3 + (1 + 1 + 1) + (1 + 2 + 1));
    expect(itemBytes({ tags: { L: [{ M: { k: { S: 'v' } } }] } })).toBe(4 + 3 + 1 + (3 + 1 + 1 + 1));
  });

  it('a set is the sum of its members', () => {
    expect(valueBytes({ SS: ['ab', 'cde'] })).toBe(5);
    expect(valueBytes({ NS: ['1', '1000', '123'] })).toBe(2 + 2 + 3);
    expect(valueBytes({ BS: [new Uint8Array(4), new Uint8Array(6)] })).toBe(10);
  });

  it('agrees with dynalite (an independent implementation) on a verdict-shaped item', () => {
    const dynaliteDb = createRequire(createRequire(import.meta.url).resolve('dynalite'))('./db/index.js') as {
      itemSize: (item: DynamoItem) => number;
    };
    const item: DynamoItem = {
      pk: { S: 'V#01JDX3K8Y0Q5W6Z8N2M4P6R8T0' },
      sk: { S: 'V' },
      body: { S: JSON.stringify({ decision: 'allow', reasons: [], email: { masked: 'j***@example.com' } }) },
      time_pk: { S: 'T#7' },
      ids: { SS: ['a1b2c3d4e5f60718', '0f1e2d3c4b5a6978'] },
      expires_at: { N: '1764460800' },
      degraded: { BOOL: false },
      review: { NULL: true },
      facts: { M: { runtimeLists: { L: [] }, velocity: { L: [{ S: 'ip' }] } } },
    };
    expect(itemBytes(item)).toBe(dynaliteDb.itemSize(item));
  });
});

describe('read units (guide: "DynamoDB read and write operations")', () => {
  it('rounds an item up to 4 KB: 3,500 bytes cost what 4 KB cost', () => {
    expect(readUnits(3500, true)).toBe(1);
    expect(readUnits(4 * KB, true)).toBe(1);
  });

  it('an 8 KB item: 2 units strongly consistent, 1 eventually consistent', () => {
    expect(readUnits(8 * KB, true)).toBe(2);
    expect(readUnits(8 * KB, false)).toBe(1);
  });

  it('GetItem of a 10 KB item is rounded to 12 KB', () => {
    expect(itemReadUnits([10 * KB], true)).toBe(3);
  });

  it('BatchGetItem of 1.5 KB and 6.5 KB items is 12 KB (4 KB + 8 KB), not 8 KB', () => {
    expect(itemReadUnits([1.5 * KB, 6.5 * KB], true)).toBe(12 / 4);
    expect(queryReadUnits([1.5 * KB, 6.5 * KB], true)).toBe(8 / 4);
  });

  it('a read of an item that does not exist still costs one 4 KB step', () => {
    expect(itemReadUnits([0], true)).toBe(1);
    expect(itemReadUnits([0, 0, 100], false)).toBe(1.5);
  });

  it('Query adds the items up first: 10 items of 40.8 KB together are read as 44 KB', () => {
    const tenItems = Array.from({ length: 10 }, () => 4.08 * KB);
    expect(queryReadUnits(tenItems, true)).toBe(44 / 4);
    expect(queryReadUnits(tenItems, false)).toBe(44 / 8);
  });

  it('Query of 1,500 items of 64 bytes each is 96 KB', () => {
    expect(
      queryReadUnits(
        Array.from({ length: 1500 }, () => 64),
        true,
      ),
    ).toBe(96 / 4);
  });

  it('a Query that finds nothing still costs one 4 KB step', () => {
    expect(queryReadUnits([], false)).toBe(0.5);
  });
});

describe('write units (guide: "DynamoDB read and write operations")', () => {
  it('1 KB per unit, rounded up: a 1 KB item is 1 unit, a 3 KB item 3, a 1.5 KB item 2', () => {
    expect(writeUnits(1 * KB)).toBe(1);
    expect(writeUnits(3 * KB)).toBe(3);
    expect(writeUnits(1.5 * KB)).toBe(2);
    expect(writeUnits(1)).toBe(1);
  });

  it('a delete of an item that does not exist costs 1 unit', () => {
    expect(writeUnits(0)).toBe(1);
    expect(itemWriteCost(null, null, []).total).toBe(1);
  });

  it('PutItem over an existing item, and UpdateItem, are charged on the larger of the two sizes', () => {
    const small: DynamoItem = { pk: { S: 'a' }, v: { S: 'x'.repeat(500) } };
    const large: DynamoItem = { pk: { S: 'a' }, v: { S: 'x'.repeat(2500) } };
    expect(itemWriteCost(large, small, []).table).toBe(3);
    expect(itemWriteCost(small, large, []).table).toBe(3);
    expect(itemWriteCost(large, null, []).table).toBe(3); // DeleteItem: the deleted item's size
  });

  it('a conditional write whose condition fails is still charged, on the table only', () => {
    const stored: DynamoItem = { pk: { S: 'M#api#k' }, v: { S: 'x'.repeat(1100) } };
    const attempted: DynamoItem = { pk: { S: 'M#api#k' }, v: { S: 'y' } };
    expect(failedWriteCost(stored, attempted)).toEqual({ table: 2, indexes: 0, total: 2 });
  });
});

describe('global secondary index writes (guide: "Global secondary indexes", writes)', () => {
  const byEmail: IndexKeys = { name: 'by_email', partitionKey: 'email_pk', sortKey: 'created_sk' };
  const byReview: IndexKeys = { name: 'by_review', partitionKey: 'review_pk', sortKey: 'created_sk' };
  const base: DynamoItem = { pk: { S: 'V#1' }, sk: { S: 'V' }, created_sk: { S: '2026-11-30T00:00:00Z#1' } };

  it('a new item that defines the index key is one put into the index', () => {
    const item = { ...base, email_pk: { S: 'E#h' } };
    expect(indexWrites(null, item, [byEmail, byReview])).toEqual([
      { index: 'by_email', kind: 'put', bytes: itemBytes(item) },
    ]);
  });

  it('an update that defines a previously undefined index key is one put', () => {
    const after = { ...base, review_pk: { S: 'R#approved#3' } };
    expect(indexWrites(base, after, [byReview]).map((w) => w.kind)).toEqual(['put']);
  });

  it('an update that changes the index key (A to B) is two writes: a delete and a put', () => {
    const before = { ...base, review_pk: { S: 'R#pending#3' } };
    const after = { ...base, review_pk: { S: 'R#approved#3' } };
    expect(indexWrites(before, after, [byReview]).map((w) => w.kind)).toEqual(['delete', 'put']);
  });

  it('an update that removes the index key is one delete', () => {
    const before = { ...base, review_pk: { S: 'R#pending#3' } };
    expect(indexWrites(before, base, [byReview]).map((w) => w.kind)).toEqual(['delete']);
  });

  it('an update that changes only projected attributes is one write; no change and no key, none', () => {
    const before = { ...base, email_pk: { S: 'E#h' }, note: { S: 'a' } };
    const after = { ...before, note: { S: 'b' } };
    expect(indexWrites(before, after, [byEmail]).map((w) => w.kind)).toEqual(['update']);
    expect(indexWrites(before, before, [byEmail])).toEqual([]);
    expect(indexWrites(base, { ...base, note: { S: 'x' } }, [byEmail])).toEqual([]);
  });

  it('a 1.5 KB item put into a table where it enters two of three indexes costs 2 + 2 × 2 units', () => {
    const item: DynamoItem = {
      ...base,
      email_pk: { S: 'E#h' },
      review_pk: { S: 'R#pending#1' },
      body: { S: 'x'.repeat(1400) },
    };
    const byPhone: IndexKeys = { name: 'by_phone', partitionKey: 'phone_pk', sortKey: 'created_sk' };
    expect(itemBytes(item)).toBeGreaterThan(1024);
    expect(itemBytes(item)).toBeLessThanOrEqual(2048);
    expect(itemWriteCost(null, item, [byEmail, byReview, byPhone])).toEqual({
      table: 2,
      indexes: 4,
      total: 6,
    });
  });
});
