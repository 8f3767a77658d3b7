/**
 * Key shapes of the single table, owned by this adapter alone: attribute names, the partition and sort values of every
 * item kind, and the one codec of their prefixes. What reads the table's items from outside (the stream filter, the
 * bench) imports them from here.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { IdentifierKind, ListAction, RefKind } from '../../core/vocabulary.js';
import type { IndexPartition, VerdictIndex } from '../cursor.js';
import type { ListKey, MarkerScope } from '../ports.js';
import { TABLE_INDEXES, TABLE_KEYS } from './layout.js';

/** An item, or a key, as the SDK sends it. */
export type Item = Record<string, AttributeValue>;

/** Attribute names: the keys come from layout.ts (the CDK stack uses them), the rest are the adapter's own. */
export const ATTR = {
  pk: TABLE_KEYS.partitionKey,
  sk: TABLE_KEYS.sortKey,
  expiresAt: TABLE_KEYS.ttlAttribute,
  emailPk: TABLE_INDEXES.byEmail.partitionKey,
  phonePk: TABLE_INDEXES.byPhone.partitionKey,
  timePk: TABLE_INDEXES.byTime.partitionKey,
  decisionPk: TABLE_INDEXES.byDecision.partitionKey,
  reviewPk: TABLE_INDEXES.byReview.partitionKey,
  createdSk: TABLE_INDEXES.byDecision.sortKey,
  body: 'body',
  source: 'source',
  decision: 'decision',
  reviewState: 'review_state',
  review: 'review',
  outcome: 'outcome',
  labelledAt: 'labelled_at',
  enforcement: 'enforcement',
  facts: 'facts',
  counted: 'counted',
  state: 'state',
  bodyHash: 'body_hash',
  lockUntil: 'lock_until',
  lockToken: 'lock_token',
  verdictId: 'verdict_id',
  writeBack: 'write_back',
  entryId: 'entry_id',
  kind: 'kind',
  action: 'action',
  ids: 'ids',
  duePk: TABLE_INDEXES.byDue.partitionKey,
  dueSk: TABLE_INDEXES.byDue.sortKey,
  sealed: 'sealed',
  attempts: 'attempts',
  /** A provisional verdict's re-screen status, beside its body: what a re-screen's update is conditioned on. */
  rescreenStatus: 'rescreen_status',
} as const;

/** A key prefix: `of` writes `<prefix><value>`, `valueOf` reads the value back (null for a key of another kind). */
const prefixed = (prefix: string) => ({
  prefix,
  of: (value: string | number): string => `${prefix}${value}`,
  valueOf: (key: string | undefined): string | null =>
    key?.startsWith(prefix) ? key.slice(prefix.length) : null,
});

/** Partition key prefixes and fixed sort keys of the item kinds, and the index partition prefixes. */
export const VERDICT_PK = prefixed('V#');
export const EMAIL_PARTITION = prefixed('E#');
export const PHONE_PARTITION = prefixed('P#');
const TIME_PARTITION = prefixed('T#');
const DECISION_PARTITION = prefixed('D#');
const REVIEW_PARTITION = prefixed('R#');
const STATS_PARTITION = prefixed('ST#');
const REF_PARTITION = prefixed('RF#');
const STATS_HOUR = prefixed('H#');
const SORT = { verdict: 'V', marker: 'M', cache: 'C', velocity: 'VC', listLookup: 'L' } as const;

const key = (pk: string, sk: string): Item => ({ [ATTR.pk]: { S: pk }, [ATTR.sk]: { S: sk } });

/** The string value of an attribute, or undefined when absent or not a string. */
export const stringAttr = (item: Item | undefined, name: string): string | undefined => {
  const value = item?.[name];
  return value !== undefined && 'S' in value ? value.S : undefined;
};

export const verdictKey = (verdictId: string): Item => key(VERDICT_PK.of(verdictId), SORT.verdict);

export const cacheKey = (kind: IdentifierKind, hash: string): Item => key(`C#${kind}#${hash}`, SORT.cache);

export const markerKey = (scope: MarkerScope, id: string): Item => key(`M#${scope}#${id}`, SORT.marker);

/**
 * The look-up item of one kind+value+action: what a screening reads. The action is part of the partition key, so
 * the two look-ups of a value every screening makes (allow and block) land on two partitions: the look-ups of a
 * common domain (`com`, `gmail.com`) at 1,000 signups/s stay far below one partition's read limit.
 */
export const listLookupKey = (list: ListKey, action: ListAction): Item =>
  key(`L#${list.kind}#${list.valueKey}#${action}`, SORT.listLookup);

/** Where entries are listed by id (`GET /lists`, `DELETE /lists/{id}`): one partition, newest id last. */
export const LIST_INDEX_PARTITION = 'LISTS';

export const listEntryKey = (entryId: string): Item => key(LIST_INDEX_PARTITION, entryId);

/**
 * The look-up item of one verdict under one of its references (docs/outcomes.md): partition `RF#<kind>#<keyed hash>`,
 * sorted like the listing indexes (`<created_at>#<verdict_id>`), so `POST /outcomes` finds a reference's verdicts with
 * one Query instead of a scan. Written with the verdict, gone with it (same `expires_at`).
 */
export const refPartition = (kind: RefKind, hash: string): string => REF_PARTITION.of(`${kind}#${hash}`);

/** What every look-up partition of one reference kind starts with (an IAM condition on the keys a role may read). */
export const refPartitionPrefix = (kind: RefKind): string => REF_PARTITION.of(`${kind}#`);

export const refLookupKey = (kind: RefKind, hash: string, sortKey: string): Item =>
  key(refPartition(kind, hash), sortKey);
/** Runtime policy versions and the shadow: one partition (docs/policy-lifecycle.md), the versions sorted by number. */
export const POLICY_PARTITION = 'POLICY';
/** The sort key prefix of a version: `PV#` and its number, zero-padded so that the sort order is the number's. */
export const POLICY_VERSION_SK = prefixed('PV#');
const POLICY_SEQ_DIGITS = 10;

export const policyVersionSortKey = (seq: number): string =>
  POLICY_VERSION_SK.of(String(seq).padStart(POLICY_SEQ_DIGITS, '0'));

export const policyVersionKey = (seq: number): Item => key(POLICY_PARTITION, policyVersionSortKey(seq));

export const policyShadowKey = (): Item => key(POLICY_PARTITION, 'SHADOW');

/** One shard of one velocity counter. */
export const velocityKey = (counter: string, shard: number): Item =>
  key(`VC#${counter}#${shard}`, SORT.velocity);

/** The statistics partition of one shard: its items are the hours, sorted. */
export const statsPartition = (shard: number): string => STATS_PARTITION.of(shard);

/** The sort key of an hour's counters (`hour` an ISO instant), and the hour of one. */
export const statsSortKey = (hour: string): string => STATS_HOUR.of(hour);
export const hourOfStatsSortKey = (sortKey: string | undefined): string | null => STATS_HOUR.valueOf(sortKey);

export const statsKey = (shard: number, hour: string): Item => key(statsPartition(shard), statsSortKey(hour));

/** A pending re-screen's item: its own partition (not `V#`, so the verdict stream never carries it). */
export const rescreenKey = (verdictId: string): Item => key(`RQ#${verdictId}`, 'RQ');

/** The `by_due` partition of one shard, and the sort key of an item due at `dueAt` (epoch ms). */
export const duePartition = (shard: number): string => `RQ#${shard}`;
export const dueSortKey = (dueAt: number, verdictId: string): string =>
  `${new Date(dueAt).toISOString()}#${verdictId}`;

/** The partition key value of an index partition, as the verdict item carries it and a query names it. */
export const partitionKeyOf = (index: VerdictIndex, partition: IndexPartition): string => {
  const { value = '', shard = 0 } = partition;
  switch (index) {
    case 'byEmail':
      return EMAIL_PARTITION.of(value);
    case 'byPhone':
      return PHONE_PARTITION.of(value);
    case 'byTime':
      return TIME_PARTITION.of(shard);
    case 'byDecision':
      return DECISION_PARTITION.of(`${value}#${shard}`);
    case 'byReview':
      return REVIEW_PARTITION.of(`${value}#${shard}`);
  }
};

/**
 * The table's stream records that are verdict changes, as a Lambda event filter pattern on the keys (the same shape
 * as CDK's `FilterRule.beginsWith`): every marker, cache, counter and list item is left out.
 */
export const VERDICT_STREAM_KEYS = { [ATTR.pk]: { S: [{ prefix: VERDICT_PK.prefix }] } };
