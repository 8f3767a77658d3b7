/**
 * Verdicts in DynamoDB: save (with the look-up items of its references), read, review and label (one conditional
 * update each), list through the sharded indexes, find by identifier hash, replay reads.
 */
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { nowSeconds, toInstant } from '../../core/time.js';
import type { Enforcement, Outcome, Review } from '../../core/verdict.js';
import {
  type FetchPartition,
  hasResidualFilters,
  type IndexPartition,
  type ListedVerdict,
  listVerdicts,
  type QueryPlan,
} from '../cursor.js';
import type {
  StoredVerdict,
  StoredVerdictList,
  StoredVerdictRange,
  UpdatedVerdict,
  VerdictMatch,
  VerdictRepository,
} from '../ports.js';
import { allShards, VERDICT_SHARDS } from '../shards.js';
import { isConditionalCheckFailed } from './client.js';
import {
  enforcementAttributes,
  itemToStoredVerdict,
  itemToVerdict,
  outcomeAttributes,
  refLookupItems,
  reviewedAttributes,
  toAttributes,
  verdictToItem,
} from './codec.js';
import { ATTR, type Item, partitionKeyOf, refPartition, stringAttr, VERDICT_PK, verdictKey } from './keys.js';
import { TABLE_INDEXES } from './layout.js';
import type { DynamoTable, QueryPage } from './table.js';

/** Largest page DynamoDB is asked for while filtering. */
const MAX_QUERY_PAGE = 1000;

/** The filter that leaves expired items out (TTL deletion is lazy). */
const LIVE = '(attribute_not_exists(#exp) OR #exp > :nowSec)';

/** One update of a live verdict: the expression, conditions beyond "it exists and is live", names and values. */
interface LiveVerdictUpdate {
  update: string;
  condition?: string;
  names: Record<string, string>;
  values: Item;
  returnValues: 'ALL_OLD' | 'ALL_NEW';
}

/**
 * One conditional UpdateItem of a verdict that exists and is live (one round trip): the item it returns, or null when
 * the verdict is gone or a condition failed.
 */
const updateLiveVerdict = async (
  table: DynamoTable,
  verdictId: string,
  { update, condition, names, values, returnValues }: LiveVerdictUpdate,
): Promise<Item | null> => {
  try {
    const output = await table.call('UpdateItem', () =>
      table.client.send(
        new UpdateItemCommand({
          TableName: table.name,
          Key: verdictKey(verdictId),
          UpdateExpression: update,
          ConditionExpression: `attribute_exists(#pk) AND ${LIVE}${condition ? ` AND ${condition}` : ''}`,
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#exp': ATTR.expiresAt, ...names },
          ExpressionAttributeValues: { ...values, ...toAttributes({ ':nowSec': nowSeconds(table.now()) }) },
          ReturnValues: returnValues,
        }),
      ),
    );
    return output.Attributes ?? null;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return null;
    throw error;
  }
};

/**
 * Sets the review in one conditional update (the verdict must exist and be live) and moves the verdict to its new
 * `by_review` partition, which the outcome alone decides. The item as it was comes back with it (`ALL_OLD`): the
 * verdict after is that plus the review, exactly what the update wrote. One round trip.
 */
const review = async (
  table: DynamoTable,
  verdictId: string,
  review: Review,
): Promise<UpdatedVerdict | null> => {
  const set = reviewedAttributes(verdictId, review);
  const attributes = await updateLiveVerdict(table, verdictId, {
    update: 'SET #review = :review, #state = :state, #rpk = :rpk',
    names: { '#review': ATTR.review, '#state': ATTR.reviewState, '#rpk': ATTR.reviewPk },
    values: { ':review': set[ATTR.review]!, ':state': set[ATTR.reviewState]!, ':rpk': set[ATTR.reviewPk]! },
    returnValues: 'ALL_OLD',
  });
  if (!attributes) return null;
  const before = itemToStoredVerdict(attributes);
  return { ...before, verdict: { ...before.verdict, review }, before: before.verdict };
};

/** Sets the enforcement attribute in one conditional update (the verdict must exist and be live). One round trip. */
const setEnforcement = async (
  table: DynamoTable,
  verdictId: string,
  enforcement: Enforcement,
): Promise<StoredVerdict | null> => {
  const attributes = await updateLiveVerdict(table, verdictId, {
    update: 'SET #enforcement = :enforcement',
    names: { '#enforcement': ATTR.enforcement },
    values: { ':enforcement': enforcementAttributes(enforcement)[ATTR.enforcement]! },
    returnValues: 'ALL_NEW',
  });
  return attributes ? itemToStoredVerdict(attributes) : null;
};

/**
 * Records a re-screen attempt in one conditional update: body, facts, decision and its `by_decision` partition, the
 * re-screen status, and (for an unreviewed verdict, whose review state follows its decision) the review state and
 * `by_review` partition. Only while the stored re-screen is pending and, when `before` had no review, still none.
 */
const rescreen = async (
  table: DynamoTable,
  before: StoredVerdict,
  after: StoredVerdict,
): Promise<StoredVerdict | null> => {
  const verdictId = before.verdict.verdict_id;
  const item = verdictToItem({ ...after, verdict: { ...after.verdict, review: null }, expiresAt: 0 });
  const unreviewed = before.verdict.review === null;
  const names: Record<string, string> = {
    '#rs': ATTR.rescreenStatus,
    ...(unreviewed ? { '#review': ATTR.review } : {}),
  };
  const values: Item = toAttributes({ ':pending': 'pending' });
  const sets: string[] = [];
  const removes: string[] = [];
  const update: string[] = [ATTR.body, ATTR.facts, ATTR.decision, ATTR.decisionPk, ATTR.rescreenStatus];
  if (unreviewed) update.push(ATTR.reviewState, ATTR.reviewPk);
  update.forEach((attribute, i) => {
    names[`#u${i}`] = attribute;
    const value = item[attribute];
    if (value === undefined) removes.push(`#u${i}`);
    else {
      values[`:u${i}`] = value;
      sets.push(`#u${i} = :u${i}`);
    }
  });
  const attributes = await updateLiveVerdict(table, verdictId, {
    update: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    condition: `#rs = :pending${unreviewed ? ' AND attribute_not_exists(#review)' : ''}`,
    names,
    values,
    returnValues: 'ALL_NEW',
  });
  return attributes ? itemToStoredVerdict(attributes) : null;
};

/**
 * Sets the outcome label in one conditional update (the verdict must exist and be live, and carry another label or
 * none) with the item as it was coming back (`ALL_OLD`). A failed condition is told apart by a read: gone (null), or
 * the same label already there (unchanged, nothing written).
 */
const label = async (
  table: DynamoTable,
  verdictId: string,
  outcome: Outcome,
): Promise<UpdatedVerdict | null> => {
  const set = outcomeAttributes(outcome);
  try {
    const output = await table.call('UpdateItem', () =>
      table.client.send(
        new UpdateItemCommand({
          TableName: table.name,
          Key: verdictKey(verdictId),
          UpdateExpression: 'SET #outcome = :outcome, #at = :at',
          ConditionExpression: `attribute_exists(#pk) AND ${LIVE} AND (attribute_not_exists(#outcome) OR #outcome <> :outcome)`,
          ExpressionAttributeNames: {
            '#pk': ATTR.pk,
            '#exp': ATTR.expiresAt,
            '#outcome': ATTR.outcome,
            '#at': ATTR.labelledAt,
          },
          ExpressionAttributeValues: {
            ':outcome': set[ATTR.outcome]!,
            ':at': set[ATTR.labelledAt]!,
            ...toAttributes({ ':nowSec': nowSeconds(table.now()) }),
          },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    if (!output.Attributes) return null;
    const before = itemToStoredVerdict(output.Attributes);
    return { ...before, verdict: { ...before.verdict, outcome }, before: before.verdict };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    // DynamoDB returns the item with the failure; dynalite does not, so it is read.
    const returned = (error as { Item?: Item }).Item;
    const current =
      returned !== undefined && !table.isExpired(returned)
        ? returned
        : await table.getLive(verdictKey(verdictId));
    if (current === null) return null;
    const stored = itemToStoredVerdict(current);
    return { ...stored, before: stored.verdict };
  }
};

/** Reads the verdict ids of one index partition (email or phone hash) or reference look-up partition, all pages. */
const idsMatching = async (table: DynamoTable, match: VerdictMatch): Promise<string[]> => {
  const index =
    match.kind === 'email' ? TABLE_INDEXES.byEmail : match.kind === 'phone' ? TABLE_INDEXES.byPhone : null;
  const ids: string[] = [];
  await table.queryEach(
    {
      ...(index ? { IndexName: index.name } : {}),
      KeyConditionExpression: '#pk = :pk',
      FilterExpression: LIVE,
      ProjectionExpression: index ? '#id' : '#vid',
      ExpressionAttributeNames: {
        '#pk': index ? index.partitionKey : ATTR.pk,
        '#exp': ATTR.expiresAt,
        ...(index ? { '#id': ATTR.pk } : { '#vid': ATTR.verdictId }),
      },
      ExpressionAttributeValues: toAttributes({
        ':pk':
          match.kind === 'email'
            ? partitionKeyOf('byEmail', { value: match.hash })
            : match.kind === 'phone'
              ? partitionKeyOf('byPhone', { value: match.hash })
              : refPartition(match.kind, match.hash),
        ':nowSec': nowSeconds(table.now()),
      }),
      ScanIndexForward: false,
    },
    (item) => {
      const id = index
        ? VERDICT_PK.valueOf(stringAttr(item, ATTR.pk))
        : (stringAttr(item, ATTR.verdictId) ?? null);
      if (id !== null) ids.push(id);
      return true;
    },
  );
  return ids;
};

/**
 * Reads one index partition newest-first, page after page, until `need` items passed the filters or the range is
 * exhausted. An exclusive upper bound together with a lower bound becomes BETWEEN (the only two-sided key
 * condition) and the bound item itself is dropped here: key attributes cannot be filtered server-side.
 */
const partitionReader = (table: DynamoTable, plan: QueryPlan): FetchPartition => {
  const index = TABLE_INDEXES[plan.index];
  const residual = hasResidualFilters(plan);
  return async (partition: IndexPartition, range, need) => {
    const names: Record<string, string> = { '#pk': index.partitionKey, '#exp': ATTR.expiresAt };
    const values: Record<string, unknown> = {
      ':pk': partitionKeyOf(plan.index, partition),
      ':nowSec': nowSeconds(table.now()),
    };
    let keyCondition = '#pk = :pk';
    if (range.from !== undefined && range.before !== undefined) {
      keyCondition += ' AND #sk BETWEEN :from AND :before';
    } else if (range.from !== undefined) {
      keyCondition += ' AND #sk >= :from';
    } else if (range.before !== undefined) {
      keyCondition += ' AND #sk < :before';
    }
    if (range.from !== undefined || range.before !== undefined) names['#sk'] = index.sortKey;
    if (range.from !== undefined) values[':from'] = range.from;
    if (range.before !== undefined) values[':before'] = range.before;

    const filters = [LIVE];
    const filterOn = (attribute: string, value: string | undefined) => {
      if (value === undefined) return;
      names[`#f_${attribute}`] = attribute;
      values[`:f_${attribute}`] = value;
      filters.push(`#f_${attribute} = :f_${attribute}`);
    };
    const { phoneHash, decision, source, review } = plan.filters;
    filterOn(
      ATTR.phonePk,
      phoneHash === undefined ? undefined : partitionKeyOf('byPhone', { value: phoneHash }),
    );
    filterOn(ATTR.decision, decision);
    filterOn(ATTR.source, source);
    filterOn(ATTR.reviewState, review);

    const found: ListedVerdict[] = [];
    await table.queryEach(
      {
        IndexName: index.name,
        KeyConditionExpression: keyCondition,
        FilterExpression: filters.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: toAttributes(values),
        ScanIndexForward: false,
      },
      (item) => {
        const sortKey = stringAttr(item, index.sortKey);
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

/** One `by_time` shard read newest-first for a replay: its pages as asked for, and the items read but not taken yet. */
interface ShardReader {
  pages: AsyncGenerator<QueryPage>;
  buffered: Array<{ sortKey: string; item: Item }>;
  done: boolean;
  /** Items read (and billed), filtered out or not. */
  read: number;
  /** The sort key the read stopped at: set when the read budget cut it short (older items were not read). */
  cutAt?: string;
}

/**
 * Stored verdicts created in [since, until) for a replay, newest first: every `by_time` shard read newest-first in
 * parallel (never a scan) and merged, so the `max` kept are the newest of the range whatever the shards hold; each
 * shard is read page by page only as far as the merge needs. `truncated` when more exist. With a source (a filter:
 * DynamoDB reads, and bills, the other sources' items too), each shard reads at most its share of `maxRead`; a shard
 * cut short sets a floor, and only verdicts newer than every floor are answered (`truncated`).
 */
const listStored = async (table: DynamoTable, range: StoredVerdictRange): Promise<StoredVerdictList> => {
  const since = toInstant(range.since, 'since');
  const until = toInstant(range.until, 'until');
  const index = TABLE_INDEXES.byTime;
  const nowSec = nowSeconds(table.now());
  const pageSize = Math.min(MAX_QUERY_PAGE, Math.ceil(range.max / VERDICT_SHARDS) + 1);
  const shards: ShardReader[] = allShards(VERDICT_SHARDS).map((shard) => ({
    pages: table.queryPages(
      {
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :until',
        FilterExpression: `${LIVE}${range.source ? ' AND #src = :src' : ''}`,
        ExpressionAttributeNames: {
          '#pk': index.partitionKey,
          '#sk': index.sortKey,
          '#exp': ATTR.expiresAt,
          ...(range.source ? { '#src': ATTR.source } : {}),
        },
        ExpressionAttributeValues: toAttributes({
          ':pk': partitionKeyOf('byTime', { shard }),
          ':from': since,
          ':until': until,
          ':nowSec': nowSec,
          ':src': range.source,
        }),
        ScanIndexForward: false,
      },
      pageSize,
    ),
    buffered: [],
    done: false,
    read: 0,
  }));
  const budget = range.source ? Math.ceil((range.maxRead ?? range.max) / VERDICT_SHARDS) : undefined;
  const lastKeySeen = new Map<ShardReader, string>();
  const refill = async (reader: ShardReader): Promise<void> => {
    while (!reader.done && reader.buffered.length === 0) {
      if (budget !== undefined && reader.read >= budget) {
        reader.done = true;
        reader.cutAt = lastKeySeen.get(reader) ?? until;
        return;
      }
      const page = await reader.pages.next();
      if (page.done) reader.done = true;
      else {
        reader.read += page.value.scanned;
        const stoppedAt = stringAttr(page.value.lastKey, index.sortKey);
        if (stoppedAt === undefined)
          reader.done = true; // the last page: nothing older to read
        else lastKeySeen.set(reader, stoppedAt);
        for (const item of page.value.items) {
          const sortKey = stringAttr(item, index.sortKey) ?? '';
          if (sortKey < until) reader.buffered.push({ sortKey, item }); // BETWEEN is inclusive; `until` is not
        }
      }
    }
  };
  const records: StoredVerdict[] = [];
  for (;;) {
    await Promise.all(shards.map(refill));
    const floor = shards.reduce<string | undefined>(
      (highest, r) =>
        r.cutAt !== undefined && (highest === undefined || r.cutAt > highest) ? r.cutAt : highest,
      undefined,
    );
    let newest: ShardReader | undefined;
    for (const reader of shards) {
      const head = reader.buffered[0];
      if (head && (newest === undefined || head.sortKey > newest.buffered[0]!.sortKey)) newest = reader;
    }
    const head = newest?.buffered[0];
    if (head === undefined || newest === undefined) return { records, truncated: floor !== undefined };
    if (floor !== undefined && head.sortKey < floor) return { records, truncated: true };
    if (records.length === range.max) return { records, truncated: true };
    records.push(itemToStoredVerdict(newest.buffered.shift()!.item));
  }
};

/** The verdict repository over `table`; listing cursors are signed with `cursorKey`. */
export const dynamoVerdicts = (table: DynamoTable, cursorKey: string): VerdictRepository => {
  const live = (verdictId: string): Promise<Item | null> => table.getLive(verdictKey(verdictId));
  return {
    async save(record) {
      // The look-up items of its references ride in the same round trip (docs/capacity.md counts their cost).
      await Promise.all(
        [verdictToItem(record), ...refLookupItems(record)].map((item) =>
          table.call('PutItem', () =>
            table.client.send(new PutItemCommand({ TableName: table.name, Item: item })),
          ),
        ),
      );
    },
    async get(verdictId) {
      const item = await live(verdictId);
      return item === null ? null : itemToVerdict(item);
    },
    async getStored(verdictId) {
      const item = await live(verdictId);
      return item === null ? null : itemToStoredVerdict(item);
    },
    query: (query) => listVerdicts(cursorKey, query, (plan) => partitionReader(table, plan)),
    listStored: (range) => listStored(table, range),
    review: (verdictId, given) => review(table, verdictId, given),
    rescreen: (before, after) => rescreen(table, before, after),
    label: (verdictId, outcome) => label(table, verdictId, outcome),
    idsMatching: (match) => idsMatching(table, match),
    setEnforcement: (verdictId, enforcement) => setEnforcement(table, verdictId, enforcement),
  };
};
