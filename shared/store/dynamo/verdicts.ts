/** Verdicts in DynamoDB: save, read, review (one conditional update), list through the sharded indexes, replay reads. */
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Review, Verdict, VerdictRecord } from '../../core/verdict.js';
import { isConditionalCheckFailed } from '../client.js';
import {
  type FetchPartition,
  hasResidualFilters,
  type ListedVerdict,
  listVerdicts,
  type QueryPlan,
} from '../cursor.js';
import {
  ATTR,
  type Item,
  isExpiredItem,
  itemToStoredVerdict,
  itemToVerdict,
  n,
  nowSeconds,
  phonePartition,
  readString,
  reviewedAttributes,
  s,
  timePartition,
  toInstant,
  verdictKey,
  verdictToItem,
} from '../items.js';
import type {
  StoredVerdict,
  StoredVerdictList,
  StoredVerdictRange,
  VerdictPage,
  VerdictQuery,
  VerdictRepository,
} from '../ports.js';
import { allShards, VERDICT_SHARDS } from '../shards.js';
import { TABLE_INDEXES } from '../table.js';
import type { DynamoTable } from './table.js';

/** Largest page DynamoDB is asked for while filtering. */
const MAX_QUERY_PAGE = 1000;

export const saveVerdict = async (table: DynamoTable, record: VerdictRecord): Promise<void> => {
  await table.call('PutItem', () =>
    table.client.send(new PutItemCommand({ TableName: table.name, Item: verdictToItem(record) })),
  );
};

const liveVerdictItem = async (table: DynamoTable, verdictId: string): Promise<Item | null> => {
  const item = await table.get(verdictKey(verdictId));
  return item === null || isExpiredItem(item, table.now()) ? null : item;
};

export const getVerdict = async (table: DynamoTable, verdictId: string): Promise<Verdict | null> => {
  const item = await liveVerdictItem(table, verdictId);
  return item === null ? null : itemToVerdict(item);
};

export const getStoredVerdict = async (
  table: DynamoTable,
  verdictId: string,
): Promise<StoredVerdict | null> => {
  const item = await liveVerdictItem(table, verdictId);
  return item === null ? null : itemToStoredVerdict(item);
};

/**
 * Sets the review in one conditional update (the verdict must exist and be live) and moves the verdict to its new
 * `by_review` partition, which the outcome alone decides; the updated item comes back with it. One round trip.
 */
export const reviewVerdict = async (
  table: DynamoTable,
  verdictId: string,
  review: Review,
): Promise<StoredVerdict | null> => {
  const { state, partition } = reviewedAttributes(verdictId, review);
  try {
    const output = await table.call('UpdateItem', () =>
      table.client.send(
        new UpdateItemCommand({
          TableName: table.name,
          Key: verdictKey(verdictId),
          UpdateExpression: 'SET #review = :review, #state = :state, #rpk = :rpk',
          ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#exp) OR #exp > :nowSec)',
          ExpressionAttributeNames: {
            '#pk': ATTR.pk,
            '#exp': ATTR.expiresAt,
            '#review': ATTR.review,
            '#state': ATTR.reviewState,
            '#rpk': ATTR.reviewPk,
          },
          ExpressionAttributeValues: {
            ':review': s(JSON.stringify(review)),
            ':state': s(state),
            ':rpk': s(partition),
            ':nowSec': n(nowSeconds(table.now())),
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return output.Attributes ? itemToStoredVerdict(output.Attributes) : null;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return null;
    throw error;
  }
};

/**
 * Reads one index partition newest-first, page after page, until `need` items passed the filters or the range is
 * exhausted. An exclusive upper bound together with a lower bound becomes BETWEEN (the only two-sided key
 * condition) and the bound item itself is dropped here: key attributes cannot be filtered server-side.
 */
const partitionReader = (table: DynamoTable, plan: QueryPlan): FetchPartition => {
  const index = TABLE_INDEXES[plan.index];
  const residual = hasResidualFilters(plan);
  return async (partition, range, need) => {
    const names: Record<string, string> = { '#pk': index.partitionKey, '#exp': ATTR.expiresAt };
    const values: Item = { ':pk': s(partition), ':nowSec': n(nowSeconds(table.now())) };
    let keyCondition = '#pk = :pk';
    if (range.from !== undefined && range.before !== undefined) {
      keyCondition += ' AND #sk BETWEEN :from AND :before';
    } else if (range.from !== undefined) {
      keyCondition += ' AND #sk >= :from';
    } else if (range.before !== undefined) {
      keyCondition += ' AND #sk < :before';
    }
    if (range.from !== undefined || range.before !== undefined) names['#sk'] = index.sortKey;
    if (range.from !== undefined) values[':from'] = s(range.from);
    if (range.before !== undefined) values[':before'] = s(range.before);

    const filters = ['(attribute_not_exists(#exp) OR #exp > :nowSec)'];
    const filterOn = (attribute: string, value: string | undefined) => {
      if (value === undefined) return;
      names[`#f_${attribute}`] = attribute;
      values[`:f_${attribute}`] = s(value);
      filters.push(`#f_${attribute} = :f_${attribute}`);
    };
    filterOn(
      ATTR.phonePk,
      plan.filters.phoneHash === undefined ? undefined : phonePartition(plan.filters.phoneHash),
    );
    filterOn(ATTR.decision, plan.filters.decision);
    filterOn(ATTR.source, plan.filters.source);
    filterOn(ATTR.reviewState, plan.filters.review);

    const found: ListedVerdict[] = [];
    await table.queryEach(
      {
        IndexName: index.name,
        KeyConditionExpression: keyCondition,
        FilterExpression: filters.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
      },
      (item) => {
        const sortKey = readString(item, index.sortKey);
        if (sortKey === undefined || sortKey === range.before) return true;
        found.push({ sortKey, verdict: itemToVerdict(item) });
        return found.length < need;
      },
      () => {
        const remaining = need - found.length + 1;
        return Math.min(MAX_QUERY_PAGE, residual ? Math.max(remaining * 2, 100) : remaining);
      },
    );
    return found;
  };
};

export const queryVerdicts = (
  table: DynamoTable,
  cursorKey: string,
  query: VerdictQuery,
): Promise<VerdictPage> => listVerdicts(cursorKey, query, (plan) => partitionReader(table, plan));

/**
 * Stored verdicts created in [since, until) for a replay: every `by_time` shard read in parallel (never a scan),
 * at most `max` in all; `truncated` when more exist.
 */
export const listStoredVerdicts = async (
  table: DynamoTable,
  range: StoredVerdictRange,
): Promise<StoredVerdictList> => {
  const since = toInstant(range.since, 'since');
  const until = toInstant(range.until, 'until');
  const index = TABLE_INDEXES.byTime;
  const records: StoredVerdict[] = [];
  let truncated = false;
  const nowSec = nowSeconds(table.now());
  await Promise.all(
    allShards(VERDICT_SHARDS).map((shard) =>
      table.queryEach(
        {
          IndexName: index.name,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :until',
          FilterExpression: `(attribute_not_exists(#exp) OR #exp > :nowSec)${range.source ? ' AND #src = :src' : ''}`,
          ExpressionAttributeNames: {
            '#pk': index.partitionKey,
            '#sk': index.sortKey,
            '#exp': ATTR.expiresAt,
            ...(range.source ? { '#src': ATTR.source } : {}),
          },
          ExpressionAttributeValues: {
            ':pk': s(timePartition(shard)),
            ':from': s(since),
            ':until': s(until),
            ':nowSec': n(nowSec),
            ...(range.source ? { ':src': s(range.source) } : {}),
          },
          ScanIndexForward: false,
        },
        (item) => {
          const sortKey = readString(item, index.sortKey) ?? '';
          if (sortKey >= until) return true; // BETWEEN is inclusive; `until` is not
          if (records.length >= range.max) {
            truncated = true;
            return false;
          }
          records.push(itemToStoredVerdict(item));
          return true;
        },
      ),
    ),
  );
  return { records, truncated };
};

/** The verdict repository over `table`; listing cursors are signed with `cursorKey`. */
export const dynamoVerdicts = (table: DynamoTable, cursorKey: string): VerdictRepository => ({
  save: (record) => saveVerdict(table, record),
  get: (verdictId) => getVerdict(table, verdictId),
  getStored: (verdictId) => getStoredVerdict(table, verdictId),
  query: (query) => queryVerdicts(table, cursorKey, query),
  listStored: (range) => listStoredVerdicts(table, range),
  review: (verdictId, review) => reviewVerdict(table, verdictId, review),
});
