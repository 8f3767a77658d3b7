/** Runtime list entries in DynamoDB: a look-up item per kind+value+action (what screenings read) and an entry item per id. */
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ListEntry } from '../../api/lists.js';
import { nowSeconds } from '../../core/time.js';
import { decodeListCursor, encodeListCursor } from '../cursor.js';
import type { ListPage, ListQuery, ListRepository, StoredListEntry } from '../ports.js';
import { isConditionalCheckFailed } from './client.js';
import { itemToStoredListEntry, listEntryItem, listLookupItem, toAttributes } from './codec.js';
import { ATTR, type Item, LIST_INDEX_PARTITION, listEntryKey, listLookupKey, stringAttr } from './keys.js';
import type { DynamoTable } from './table.js';

const deleteItem = (table: DynamoTable, key: Item, condition?: { entryId: string }) =>
  table.call('DeleteItem', () =>
    table.client.send(
      new DeleteItemCommand({
        TableName: table.name,
        Key: key,
        ...(condition
          ? {
              ConditionExpression: '#eid = :eid',
              ExpressionAttributeNames: { '#eid': ATTR.entryId },
              ExpressionAttributeValues: toAttributes({ ':eid': condition.entryId }),
            }
          : {}),
      }),
    ),
  );

/** Writes the entry item, then claims the look-up item; when another live entry holds it, that one is returned. */
const put = async (
  table: DynamoTable,
  stored: StoredListEntry,
  expiresAtSec: number | null,
): Promise<{ entry: ListEntry; created: boolean }> => {
  const { entry } = stored;
  const lookupKey = listLookupKey({ kind: entry.kind, valueKey: stored.valueKey }, entry.action);
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await table.getLive(lookupKey);
    if (existing !== null) return { entry: itemToStoredListEntry(existing).entry, created: false };
    await table.call('PutItem', () =>
      table.client.send(
        new PutItemCommand({ TableName: table.name, Item: listEntryItem(stored, expiresAtSec) }),
      ),
    );
    try {
      await table.call('PutItem', () =>
        table.client.send(
          new PutItemCommand({
            TableName: table.name,
            Item: listLookupItem(stored, expiresAtSec),
            ConditionExpression: 'attribute_not_exists(#pk) OR #exp <= :nowSec',
            ExpressionAttributeNames: { '#pk': ATTR.pk, '#exp': ATTR.expiresAt },
            ExpressionAttributeValues: toAttributes({ ':nowSec': nowSeconds(table.now()) }),
          }),
        ),
      );
      return { entry, created: true };
    } catch (error) {
      // Lost a race with an identical entry (or the store failed): our entry item must not stay behind.
      await deleteItem(table, listEntryKey(entry.entry_id)).catch(() => undefined);
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
  throw new Error('list entry kept changing while creating it');
};

const get = async (table: DynamoTable, entryId: string): Promise<StoredListEntry | null> => {
  const item = await table.getLive(listEntryKey(entryId));
  return item === null ? null : itemToStoredListEntry(item);
};

/** Deletes the look-up item (only if it is still this entry's) and then the entry; false when unknown. */
const remove = async (table: DynamoTable, entryId: string): Promise<boolean> => {
  const stored = await get(table, entryId);
  if (stored === null) return false;
  const { kind, action } = stored.entry;
  try {
    await deleteItem(table, listLookupKey({ kind, valueKey: stored.valueKey }, action), { entryId });
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
  await deleteItem(table, listEntryKey(entryId));
  return true;
};

/** Newest entries first (ULID order), filtered by kind and action; the cursor is the last id returned, signed. */
const query = async (table: DynamoTable, cursorKey: string, query: ListQuery): Promise<ListPage> => {
  const before = decodeListCursor(cursorKey, query);
  const names: Record<string, string> = { '#pk': ATTR.pk, '#exp': ATTR.expiresAt };
  const values: Record<string, unknown> = { ':pk': LIST_INDEX_PARTITION, ':nowSec': nowSeconds(table.now()) };
  const filters = ['(attribute_not_exists(#exp) OR #exp > :nowSec)'];
  if (query.kind) {
    names['#kind'] = ATTR.kind;
    values[':kind'] = query.kind;
    filters.push('#kind = :kind');
  }
  if (query.action) {
    names['#action'] = ATTR.action;
    values[':action'] = query.action;
    filters.push('#action = :action');
  }
  if (before) {
    names['#sk'] = ATTR.sk;
    values[':before'] = before;
  }
  const items: ListEntry[] = [];
  let more = false;
  await table.queryEach(
    {
      KeyConditionExpression: before ? '#pk = :pk AND #sk < :before' : '#pk = :pk',
      FilterExpression: filters.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: toAttributes(values),
      ScanIndexForward: false,
    },
    (item) => {
      if (items.length === query.limit) {
        more = true;
        return false;
      }
      if (stringAttr(item, ATTR.sk)) items.push(itemToStoredListEntry(item).entry);
      return true;
    },
    () => Math.max(query.limit + 1 - items.length, 25),
  );
  const last = items.at(-1);
  return { items, nextCursor: more && last ? encodeListCursor(cursorKey, query, last.entry_id) : null };
};

/** The runtime list repository over `table`; listing cursors are signed with `cursorKey`. */
export const dynamoLists = (table: DynamoTable, cursorKey: string): ListRepository => ({
  put: (entry, expiresAtSec) => put(table, entry, expiresAtSec),
  get: (entryId) => get(table, entryId),
  delete: (entryId) => remove(table, entryId),
  query: (listQuery) => query(table, cursorKey, listQuery),
});
