/** The in-memory adapter's item mapping (the DynamoDB adapter's former one), until it keeps domain records instead. */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ListEntry } from '../api/lists.js';
import type { Decision } from '../core/levels.js';
import type { DecisionFacts, Review, Verdict, VerdictRecord } from '../core/verdict.js';
import type { IdentifierKind, ListAction, ReviewFilter } from '../core/vocabulary.js';
import { TABLE_INDEXES, TABLE_KEYS } from './dynamo/layout.js';
import type {
  CachedResult,
  ClaimRequest,
  ListKey,
  MarkerClaim,
  MarkerScope,
  StatsHour,
  StoredListEntry,
  StoredVerdict,
  WriteBackState,
} from './ports.js';
import { allShards, STATS_SHARDS, verdictShard } from './shards.js';

export type Item = Record<string, AttributeValue>;

/** Attribute names: the keys come from `table.ts` (the CDK stack uses them), the rest are the adapter's own. */
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
  facts: 'facts',
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
} as const;

const SORT_VALUE = { verdict: 'V', marker: 'M', cache: 'C', velocity: 'VC' } as const;

export const s = (value: string): AttributeValue => ({ S: value });
export const n = (value: number): AttributeValue => ({ N: String(value) });

/** The string value of an attribute, or undefined when absent or not a string. */
export const readString = (item: Item, name: string): string | undefined => {
  const value = item[name];
  return value !== undefined && 'S' in value ? value.S : undefined;
};

/** The numeric value of an attribute, or undefined when absent or not a number. */
export const readNumber = (item: Item, name: string): number | undefined => {
  const value = item[name];
  if (value === undefined || !('N' in value) || value.N === undefined) return undefined;
  const parsed = Number(value.N);
  return Number.isFinite(parsed) ? parsed : undefined;
};

/** The members of a string-set attribute (empty when absent). */
export const readStringSet = (item: Item | undefined, name: string): string[] => {
  const value = item?.[name];
  return value !== undefined && 'SS' in value && value.SS ? value.SS : [];
};

/** Epoch seconds at or before which an item counts as gone (TTL deletion is lazy; we expire on read). */
export const nowSeconds = (nowMs: number): number => Math.floor(nowMs / 1000);

/** True when `expiresAt` (epoch seconds) is at or before `nowMs`. */
export const isExpiredAt = (expiresAt: number | undefined, nowMs: number): boolean =>
  expiresAt !== undefined && expiresAt <= nowSeconds(nowMs);

export const isExpiredItem = (item: Item, nowMs: number): boolean =>
  isExpiredAt(readNumber(item, ATTR.expiresAt), nowMs);

/** An ISO 8601 date normalised to `toISOString()` form, so that string order is time order. */
export const toInstant = (value: string, field: string): string => {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`${field} is not a valid ISO 8601 date`);
  return new Date(ms).toISOString();
};

// ---- index partitions ------------------------------------------------------------------------------------

export const emailPartition = (emailHash: string): string => `E#${emailHash}`;
export const phonePartition = (phoneHash: string): string => `P#${phoneHash}`;
export const timePartition = (shard: number): string => `T#${shard}`;
export const decisionPartition = (decision: Decision, shard: number): string => `D#${decision}#${shard}`;
export const reviewPartition = (state: ReviewFilter, shard: number): string => `R#${state}#${shard}`;

/** The review state a verdict is listed under: `none` for an unreviewed allow or block. */
export type ReviewState = ReviewFilter | 'none';

export const reviewStateOf = (decision: Decision, review: Review | null): ReviewState => {
  if (review) return review.outcome === 'approve' ? 'approved' : 'rejected';
  return decision === 'review' ? 'pending' : 'none';
};

/** `<created_at ISO>#<verdict_id>`: unique per verdict, sorts by time then id. */
export const createdSortKey = (verdict: Verdict): string => {
  const ms = Date.parse(verdict.created_at);
  const instant = Number.isFinite(ms) ? new Date(ms).toISOString() : verdict.created_at;
  return `${instant}#${verdict.verdict_id}`;
};

// ---- verdicts --------------------------------------------------------------------------------------------

export const verdictKey = (verdictId: string): Item => ({
  [ATTR.pk]: s(`V#${verdictId}`),
  [ATTR.sk]: s(SORT_VALUE.verdict),
});

/** The review attributes of a verdict item: its state and, but for `none`, its sharded `by_review` partition. */
export const reviewAttributes = (
  verdict: Pick<Verdict, 'verdict_id' | 'decision'>,
  review: Review | null,
) => {
  const state = reviewStateOf(verdict.decision, review);
  return {
    state,
    partition: state === 'none' ? null : reviewPartition(state, verdictShard(verdict.verdict_id)),
  };
};

/** The attributes a review sets: once reviewed, the state and partition follow the outcome alone (not the decision). */
export const reviewedAttributes = (verdictId: string, review: Review) => {
  const state: ReviewFilter = review.outcome === 'approve' ? 'approved' : 'rejected';
  return { state, partition: reviewPartition(state, verdictShard(verdictId)) };
};

/**
 * The stored form of a verdict: the verdict as JSON (without its review, kept in its own attribute so a review is
 * one small update) plus the index attributes (hashes only, never raw values) and the decision facts.
 */
export const verdictToItem = (record: VerdictRecord): Item => {
  const { verdict } = record;
  const { review, ...rest } = verdict;
  const shard = verdictShard(verdict.verdict_id);
  const reviewed = reviewAttributes(verdict, review);
  const item: Item = {
    ...verdictKey(verdict.verdict_id),
    [ATTR.body]: s(JSON.stringify(rest)),
    [ATTR.facts]: s(JSON.stringify(record.facts)),
    [ATTR.timePk]: s(timePartition(shard)),
    [ATTR.decisionPk]: s(decisionPartition(verdict.decision, shard)),
    [ATTR.createdSk]: s(createdSortKey(verdict)),
    [ATTR.source]: s(verdict.source),
    [ATTR.decision]: s(verdict.decision),
    [ATTR.reviewState]: s(reviewed.state),
    [ATTR.expiresAt]: n(record.expiresAt),
  };
  if (review) item[ATTR.review] = s(JSON.stringify(review));
  if (reviewed.partition) item[ATTR.reviewPk] = s(reviewed.partition);
  if (record.emailHash) item[ATTR.emailPk] = s(emailPartition(record.emailHash));
  if (record.phoneHash) item[ATTR.phonePk] = s(phonePartition(record.phoneHash));
  return item;
};

const parseJsonAttribute = (item: Item, name: string): Record<string, unknown> | null => {
  const text = readString(item, name);
  if (text === undefined) return null;
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`Stored item ${readString(item, ATTR.pk) ?? '?'} has an invalid ${name}`);
  }
  return parsed as Record<string, unknown>;
};

const parseBody = (item: Item): Record<string, unknown> => {
  const body = parseJsonAttribute(item, ATTR.body);
  if (body === null) throw new Error(`Stored item ${readString(item, ATTR.pk) ?? '?'} has no valid body`);
  return body;
};

/** The verdict as the API returns it: body, review merged in, `subject_ref`/`review` null for older items. */
export const itemToVerdict = (item: Item): Verdict => {
  const body = parseBody(item);
  if (typeof body.verdict_id !== 'string') throw new Error('Stored verdict has no verdict_id');
  const review = parseJsonAttribute(item, ATTR.review) as Review | null;
  const verdict = body as unknown as Verdict;
  return { ...verdict, subject_ref: verdict.subject_ref ?? null, review };
};

const hashOf = (item: Item, attribute: string, prefix: string): string | null => {
  const value = readString(item, attribute);
  return value?.startsWith(prefix) ? value.slice(prefix.length) : null;
};

export const itemToStoredVerdict = (item: Item): StoredVerdict => {
  const facts = parseJsonAttribute(item, ATTR.facts) as DecisionFacts | null;
  return {
    verdict: itemToVerdict(item),
    emailHash: hashOf(item, ATTR.emailPk, 'E#'),
    phoneHash: hashOf(item, ATTR.phonePk, 'P#'),
    facts: facts ?? { runtimeLists: [], velocity: [] },
  };
};

// ---- cached Defastra results -----------------------------------------------------------------------------

export const cacheKey = (kind: IdentifierKind, hash: string): Item => ({
  [ATTR.pk]: s(`C#${kind}#${hash}`),
  [ATTR.sk]: s(SORT_VALUE.cache),
});

export const cachedToItem = (
  kind: IdentifierKind,
  hash: string,
  result: CachedResult,
  expiresAt: number,
): Item => ({
  ...cacheKey(kind, hash),
  [ATTR.body]: s(JSON.stringify(result)),
  [ATTR.expiresAt]: n(expiresAt),
});

export const itemToCached = (item: Item): CachedResult => {
  const body = parseBody(item);
  if (typeof body.riskLevel !== 'string') throw new Error('Stored cache entry has no riskLevel');
  return body as unknown as CachedResult;
};

// ---- markers ---------------------------------------------------------------------------------------------

export const markerKey = (scope: MarkerScope, key: string): Item => ({
  [ATTR.pk]: s(`M#${scope}#${key}`),
  [ATTR.sk]: s(SORT_VALUE.marker),
});

/** A fresh in-progress marker held by `token`, locked until `nowMs + lockMs`. */
export const markerToItem = (request: ClaimRequest, nowMs: number, token: string): Item => ({
  ...markerKey(request.scope, request.key),
  [ATTR.state]: s('in_progress'),
  [ATTR.bodyHash]: s(request.bodyHash),
  [ATTR.lockUntil]: n(nowMs + request.lockMs),
  [ATTR.lockToken]: s(token),
  [ATTR.expiresAt]: n(request.expiresAt),
});

const WRITE_BACK_STATES: readonly WriteBackState[] = ['none', 'pending', 'done'];
const isWriteBackState = (value: string | undefined): value is WriteBackState =>
  value !== undefined && (WRITE_BACK_STATES as readonly string[]).includes(value);

/** The plain fields of a stored marker, shared by both adapters. */
export interface MarkerFields {
  state: 'in_progress' | 'done';
  bodyHash: string;
  lockUntil: number;
  lockToken: string | undefined;
  expiresAt: number | undefined;
  verdictId: string | undefined;
  writeBack: WriteBackState | undefined;
}

export const itemToMarker = (item: Item): MarkerFields => {
  const writeBack = readString(item, ATTR.writeBack);
  return {
    state: readString(item, ATTR.state) === 'done' ? 'done' : 'in_progress',
    bodyHash: readString(item, ATTR.bodyHash) ?? '',
    lockUntil: readNumber(item, ATTR.lockUntil) ?? 0,
    lockToken: readString(item, ATTR.lockToken),
    expiresAt: readNumber(item, ATTR.expiresAt),
    verdictId: readString(item, ATTR.verdictId),
    writeBack: isWriteBackState(writeBack) ? writeBack : undefined,
  };
};

/** Whether a new claim may take this marker over: expired by TTL, or in progress with a lapsed lock. */
export const isMarkerClaimable = (marker: MarkerFields, nowMs: number): boolean =>
  isExpiredAt(marker.expiresAt, nowMs) || (marker.state === 'in_progress' && marker.lockUntil < nowMs);

/** What a losing claim reports about the marker that beat it. */
export const markerToClaim = (marker: MarkerFields): MarkerClaim => {
  if (marker.state === 'done') {
    const claim: MarkerClaim = {
      state: 'done',
      bodyHash: marker.bodyHash,
      verdictId: marker.verdictId ?? '',
    };
    if (marker.writeBack !== undefined) claim.writeBack = marker.writeBack;
    return claim;
  }
  return { state: 'in_progress', bodyHash: marker.bodyHash };
};

// ---- runtime list entries --------------------------------------------------------------------------------

/**
 * The look-up item of one kind+value+action: what a screening reads. The action is part of the partition key, so
 * the two look-ups of a value every screening makes (allow and block) land on two partitions: the look-ups of a
 * common domain (`com`, `gmail.com`) at 1,000 signups/s stay far below one partition's read limit.
 */
export const listLookupKey = (key: ListKey, action: ListAction): Item => ({
  [ATTR.pk]: s(`L#${key.kind}#${key.valueKey}#${action}`),
  [ATTR.sk]: s('L'),
});

/** Where entries are listed by id (`GET /lists`, `DELETE /lists/{id}`): one partition, newest id last. */
export const LIST_INDEX_PARTITION = 'LISTS';

export const listEntryKey = (entryId: string): Item => ({
  [ATTR.pk]: s(LIST_INDEX_PARTITION),
  [ATTR.sk]: s(entryId),
});

const entryExpiry = (expiresAtSec: number | null): Item =>
  expiresAtSec === null ? {} : { [ATTR.expiresAt]: n(expiresAtSec) };

export const listLookupItem = (stored: StoredListEntry, expiresAtSec: number | null): Item => ({
  ...listLookupKey({ kind: stored.entry.kind, valueKey: stored.valueKey }, stored.entry.action),
  [ATTR.entryId]: s(stored.entry.entry_id),
  [ATTR.body]: s(JSON.stringify(stored)),
  ...entryExpiry(expiresAtSec),
});

export const listEntryItem = (stored: StoredListEntry, expiresAtSec: number | null): Item => ({
  ...listEntryKey(stored.entry.entry_id),
  [ATTR.kind]: s(stored.entry.kind),
  [ATTR.action]: s(stored.entry.action),
  [ATTR.body]: s(JSON.stringify(stored)),
  ...entryExpiry(expiresAtSec),
});

export const itemToStoredListEntry = (item: Item): StoredListEntry => {
  const body = parseBody(item) as unknown as StoredListEntry;
  if (typeof body.valueKey !== 'string' || typeof body.entry?.entry_id !== 'string') {
    throw new Error('Stored list entry is invalid');
  }
  return body;
};

export const listEntryOf = (item: Item): ListEntry => itemToStoredListEntry(item).entry;

// ---- velocity and statistics counters --------------------------------------------------------------------

/** One shard of one velocity counter. */
export const velocityKey = (counter: string, shard: number): Item => ({
  [ATTR.pk]: s(`VC#${counter}#${shard}`),
  [ATTR.sk]: s(SORT_VALUE.velocity),
});

/** The count a velocity add reports: the shard's old members, plus one when ours was new. */
export const velocityShardCount = (
  old: readonly string[],
  identity: string,
): { count: number; added: boolean } => {
  const added = !old.includes(identity);
  return { count: old.length + (added ? 1 : 0), added };
};

export const statsPartition = (shard: number): string => `ST#${shard}`;

export const statsKey = (shard: number, hour: string): Item => ({
  [ATTR.pk]: s(statsPartition(shard)),
  [ATTR.sk]: s(`H#${hour}`),
});

/** Counter attributes are the counter names prefixed, so none collides with a key or a reserved word. */
export const COUNTER_PREFIX = 'c_';

/** The counters of a stats item, without the prefix. */
export const itemToCounts = (item: Item): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(COUNTER_PREFIX) || !('N' in value)) continue;
    counts[name.slice(COUNTER_PREFIX.length)] = Number(value.N);
  }
  return counts;
};

/** Adds `from` into `into`. */
export const addCounts = (into: Record<string, number>, from: Record<string, number>): void => {
  for (const [name, value] of Object.entries(from)) into[name] = (into[name] ?? 0) + value;
};

/** Sums stats items (of any shards) by hour, for hours in [sinceHour, untilHour), oldest first. */
export const sumByHour = (items: Iterable<Item>, sinceHour: string, untilHour: string): StatsHour[] => {
  const byHour = new Map<string, Record<string, number>>();
  for (const item of items) {
    const hour = (readString(item, ATTR.sk) ?? '').slice(2);
    if (hour < sinceHour || hour >= untilHour) continue;
    const counts = byHour.get(hour) ?? {};
    addCounts(counts, itemToCounts(item));
    byHour.set(hour, counts);
  }
  return [...byHour.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([hour, counts]) => ({ hour, counts }));
};

/** The Defastra calls recorded in `hour` over every stats shard, read through `get` (absent items count 0). */
export const spendCallsIn = (get: (key: Item) => Item | undefined, hour: string): number =>
  allShards(STATS_SHARDS).reduce(
    (sum, shard) =>
      sum + (readNumber(get(statsKey(shard, hour)) ?? {}, `${COUNTER_PREFIX}defastra_calls`) ?? 0),
    0,
  );
