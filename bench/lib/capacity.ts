/**
 * DynamoDB capacity arithmetic, by the rules of the DynamoDB developer guide ("Item sizes and formats", "DynamoDB
 * read and write operations", "Global secondary indexes: writes"): the size of an item, and the write and read
 * request units an operation consumes, global secondary indexes included. Pure: no I/O.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** An item or key in DynamoDB's JSON form, as the SDK and the wire protocol carry it. */
export type DynamoItem = Record<string, AttributeValue>;

/** A write unit covers 1 KB of item; a read unit 4 KB (strongly consistent; half a unit eventually consistent). */
export const WRITE_UNIT_BYTES = 1024;
export const READ_UNIT_BYTES = 4096;

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * Bytes of a number value: 1 byte per two significant digits, plus 1 (leading and trailing zeros trimmed,
 * so `1000` and `0.001` are one significant digit). DynamoDB calls this an approximation; zero is 1 byte.
 */
export const numberBytes = (text: string): number => {
  const match = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE][+-]?\d+)?$/.exec(text.trim());
  if (!match) throw new RangeError(`not a number: ${text}`);
  const digits = `${match[1] ?? ''}${match[2] ?? ''}`.replace(/^0+/, '').replace(/0+$/, '');
  return digits.length === 0 ? 1 : Math.ceil(digits.length / 2) + 1;
};

/** Bytes of binary data: the raw bytes (the wire protocol carries them as base64 text). */
const binaryBytes = (value: Uint8Array | string): number =>
  typeof value === 'string' ? Buffer.from(value, 'base64').length : value.byteLength;

/** Bytes of one attribute value, its name excluded. */
export const valueBytes = (value: AttributeValue): number => {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return binaryBytes(value.B);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, member) => sum + utf8(member), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, member) => sum + numberBytes(member), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, member) => sum + binaryBytes(member), 0);
  // A list or map: 3 bytes, plus 1 byte per element and the elements themselves (a map's element names too).
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + 1 + valueBytes(element), 0);
  if (value.M !== undefined) {
    return (
      3 +
      Object.entries(value.M).reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueBytes(element), 0)
    );
  }
  throw new RangeError(`unknown attribute value type: ${Object.keys(value).join(',')}`);
};

/** The size of an item: the UTF-8 bytes of each attribute name plus its value's bytes. */
export const itemBytes = (item: DynamoItem): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueBytes(value), 0);

/** Write units of one item write of `bytes` (1 KB each, rounded up; at least 1, e.g. a delete of a missing item). */
export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));

/**
 * Read units of reading `bytes` at once (4 KB each, rounded up, halved when eventually consistent). At least one
 * 4 KB step is charged, also for an item that does not exist.
 */
export const readUnits = (bytes: number, consistent: boolean): number =>
  Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES)) * (consistent ? 1 : 0.5);

/** GetItem or BatchGetItem: each item is rounded up to 4 KB on its own (a key not found counts as a 0-byte item). */
export const itemReadUnits = (itemSizes: readonly number[], consistent: boolean): number =>
  itemSizes.reduce((sum, bytes) => sum + readUnits(bytes, consistent), 0);

/** Query (or one page of it): the items' sizes are added up first, then rounded up to 4 KB. */
export const queryReadUnits = (itemSizes: readonly number[], consistent: boolean): number =>
  readUnits(
    itemSizes.reduce((sum, bytes) => sum + bytes, 0),
    consistent,
  );

/** A global secondary index as far as writes go: its key attributes. Projection ALL is assumed. */
export interface IndexKeys {
  name: string;
  partitionKey: string;
  sortKey?: string;
}

const keyOf = (item: DynamoItem | null, index: IndexKeys): string | null => {
  if (item === null) return null;
  const pk = item[index.partitionKey];
  if (pk === undefined) return null;
  if (index.sortKey === undefined) return JSON.stringify(pk);
  const sk = item[index.sortKey];
  return sk === undefined ? null : JSON.stringify([pk, sk]);
};

const sameItem = (a: DynamoItem, b: DynamoItem): boolean => {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) {
    if (JSON.stringify(a[name]) !== JSON.stringify(b[name])) return false;
  }
  return true;
};

/** One write into an index: what it does there and the size it is charged on. */
export interface IndexWrite {
  index: string;
  kind: 'put' | 'delete' | 'update';
  bytes: number;
}

/**
 * The index writes one item write causes, by the guide's rules: an item that enters the index is one put, one that
 * leaves it one delete, one whose index key changes a delete and a put, one that stays with other attributes changed
 * one update (projection ALL: every attribute is projected); an item in the index neither before nor after costs
 * nothing. With projection ALL an index entry is as large as the item.
 */
export const indexWrites = (
  before: DynamoItem | null,
  after: DynamoItem | null,
  indexes: readonly IndexKeys[],
): IndexWrite[] => {
  const writes: IndexWrite[] = [];
  const beforeBytes = before === null ? 0 : itemBytes(before);
  const afterBytes = after === null ? 0 : itemBytes(after);
  for (const index of indexes) {
    const was = keyOf(before, index);
    const is = keyOf(after, index);
    if (was === null && is === null) continue;
    if (was === null) writes.push({ index: index.name, kind: 'put', bytes: afterBytes });
    else if (is === null) writes.push({ index: index.name, kind: 'delete', bytes: beforeBytes });
    else if (was !== is) {
      writes.push({ index: index.name, kind: 'delete', bytes: beforeBytes });
      writes.push({ index: index.name, kind: 'put', bytes: afterBytes });
    } else if (before !== null && after !== null && !sameItem(before, after)) {
      writes.push({ index: index.name, kind: 'update', bytes: Math.max(beforeBytes, afterBytes) });
    }
  }
  return writes;
};

/** Write units of one item write, table and indexes apart. */
export interface WriteCost {
  table: number;
  indexes: number;
  total: number;
}

/**
 * Write units of one PutItem, UpdateItem or DeleteItem that succeeded, given the item before and after it (null =
 * absent): the table is charged on the larger of the two sizes, each index write on its entry's size.
 */
export const itemWriteCost = (
  before: DynamoItem | null,
  after: DynamoItem | null,
  indexes: readonly IndexKeys[],
): WriteCost => {
  const table = writeUnits(
    Math.max(before === null ? 0 : itemBytes(before), after === null ? 0 : itemBytes(after)),
  );
  const index = indexWrites(before, after, indexes).reduce((sum, write) => sum + writeUnits(write.bytes), 0);
  return { table, indexes: index, total: table + index };
};

/**
 * Write units of a conditional write whose condition failed: nothing is written, yet the table is charged on the
 * larger of the stored item and the item the request carried; the indexes are not touched.
 */
export const failedWriteCost = (stored: DynamoItem | null, attempted: DynamoItem | null): WriteCost => {
  const table = writeUnits(
    Math.max(stored === null ? 0 : itemBytes(stored), attempted === null ? 0 : itemBytes(attempted)),
  );
  return { table, indexes: 0, total: table };
};
