/**
 * Records ↔ items of the single table (marshalled with `@aws-sdk/util-dynamodb`): verdicts with their index
 * attributes, cached results, markers, list entries, statistics counters, and verdicts read from the table's stream.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  type DecisionFacts,
  type Enforcement,
  type Outcome,
  type Review,
  type Verdict,
  type VerdictRecord,
  withVerdictDefaults,
} from '../../core/verdict.js';
import { type IdentifierKind, REF_KINDS } from '../../core/vocabulary.js';
import { isWriteBackState, type MarkerRecord } from '../../markers/state.js';
import { reviewedState, reviewStateOf } from '../../reviews/state.js';
import { createdSortKey, partitionOf, type VerdictIndex } from '../cursor.js';
import type { CachedResult, MarkerScope, StatsCounts, StoredListEntry, StoredVerdict } from '../ports.js';
import { verdictShard } from '../shards.js';
import {
  ATTR,
  cacheKey,
  EMAIL_PARTITION,
  type Item,
  listEntryKey,
  listLookupKey,
  markerKey,
  PHONE_PARTITION,
  partitionKeyOf,
  refLookupKey,
  VERDICT_PK,
  verdictKey,
} from './keys.js';
import { TABLE_INDEXES } from './layout.js';
import { encodeVerdictBody, verdictBodyText } from './verdict-body.js';

/** Plain fields as attributes (undefined ones left out). */
export const toAttributes = (fields: Record<string, unknown>): Item =>
  marshall(fields, { removeUndefinedValues: true });

const fieldsOf = (item: Item): Record<string, unknown> => unmarshall(item);

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** JSON text that must hold an object; null when absent. */
const parseObject = (
  value: string | undefined,
  fields: Record<string, unknown>,
  name: string,
): Record<string, unknown> | null => {
  if (value === undefined) return null;
  const parsed: unknown = JSON.parse(value);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`Stored item ${text(fields[ATTR.pk]) ?? '?'} has an invalid ${name}`);
  }
  return parsed as Record<string, unknown>;
};

/** A JSON attribute that must hold an object; null when absent. */
const jsonObject = (fields: Record<string, unknown>, name: string): Record<string, unknown> | null =>
  parseObject(text(fields[name]), fields, name);

const required = (
  body: Record<string, unknown> | null,
  fields: Record<string, unknown>,
): Record<string, unknown> => {
  if (body === null) throw new Error(`Stored item ${text(fields[ATTR.pk]) ?? '?'} has no valid body`);
  return body;
};

const bodyOf = (fields: Record<string, unknown>): Record<string, unknown> =>
  required(jsonObject(fields, ATTR.body), fields);

/** Epoch seconds after which an item may go, when it has one. */
export const expiryOf = (item: Item): number | undefined => {
  const value = item[ATTR.expiresAt];
  return value !== undefined && 'N' in value && value.N !== undefined ? Number(value.N) : undefined;
};

// ---- verdicts --------------------------------------------------------------------------------------------

/** The index attribute of each listing index. */
const INDEX_ATTRIBUTES: ReadonlyArray<[VerdictIndex, string]> = Object.entries(TABLE_INDEXES)
  .filter(([index]) => index !== 'byDue')
  .map(([index, { partitionKey }]) => [index as VerdictIndex, partitionKey]);

/** What a review sets: once reviewed, the state and the `by_review` partition follow the outcome alone. */
export const reviewedAttributes = (verdictId: string, review: Review): Item => {
  const state = reviewedState(review.outcome);
  return toAttributes({
    [ATTR.review]: JSON.stringify(review),
    [ATTR.reviewState]: state,
    [ATTR.reviewPk]: partitionKeyOf('byReview', { value: state, shard: verdictShard(verdictId) }),
  });
};

/** What recording an enforcement sets: its own attribute, so the update touches nothing else. */
export const enforcementAttributes = (enforcement: Enforcement): Item =>
  toAttributes({ [ATTR.enforcement]: JSON.stringify(enforcement) });

/**
 * What an outcome label sets: what it says (label, source, note, author) as one JSON string in a fixed order, which a
 * conditional update compares to tell a new label from a repeat, and when, apart.
 */
export const outcomeAttributes = (outcome: Outcome): Item =>
  toAttributes({
    [ATTR.outcome]: JSON.stringify({
      label: outcome.label,
      source: outcome.source,
      note: outcome.note,
      labelled_by: outcome.labelled_by,
    }),
    [ATTR.labelledAt]: outcome.labelled_at,
  });

const outcomeOf = (fields: Record<string, unknown>): Outcome | null => {
  const said = jsonObject(fields, ATTR.outcome) as Omit<Outcome, 'labelled_at'> | null;
  if (said === null) return null;
  return {
    label: said.label,
    source: said.source,
    note: said.note,
    labelled_at: text(fields[ATTR.labelledAt]) ?? '',
    labelled_by: said.labelled_by,
  };
};

/**
 * The stored form of a verdict: the verdict without its review, outcome and enforcement (each kept in its own
 * attribute so that recording one is one small update), deflated (verdict-body.ts), plus the index attributes (hashes only, never raw
 * values) and the decision facts.
 */
export const verdictToItem = (record: VerdictRecord): Item => {
  const { verdict } = record;
  const { review, outcome, enforcement, ...rest } = verdict;
  const indexes: Record<string, string> = {};
  for (const [index, attribute] of INDEX_ATTRIBUTES) {
    const partition = partitionOf(index, record);
    if (partition) indexes[attribute] = partitionKeyOf(index, partition);
  }
  return {
    ...verdictKey(verdict.verdict_id),
    [ATTR.body]: encodeVerdictBody(rest),
    ...toAttributes({
      ...indexes,
      [ATTR.facts]: JSON.stringify(record.facts),
      [ATTR.createdSk]: createdSortKey(verdict),
      [ATTR.source]: verdict.source,
      [ATTR.decision]: verdict.decision,
      [ATTR.reviewState]: reviewStateOf(verdict.decision, review),
      [ATTR.review]: review ? JSON.stringify(review) : undefined,
      [ATTR.rescreenStatus]: verdict.rescreen?.status,
      [ATTR.enforcement]: enforcement ? JSON.stringify(enforcement) : undefined,
      [ATTR.expiresAt]: record.expiresAt,
      [ATTR.counted]: record.counted,
    }),
    ...(outcome ? outcomeAttributes(outcome) : {}),
  };
};

/** The look-up items of a verdict's references (docs/outcomes.md): one per reference the caller gave. */
export const refLookupItems = (record: VerdictRecord): Item[] =>
  REF_KINDS.flatMap((kind) => {
    const hash = record.refHashes?.[kind];
    if (!hash) return [];
    return [
      {
        ...refLookupKey(kind, hash, createdSortKey(record.verdict)),
        ...toAttributes({ [ATTR.verdictId]: record.verdict.verdict_id, [ATTR.expiresAt]: record.expiresAt }),
      },
    ];
  });

/** The attributes of a verdict item but its body (decoded on its own: binary, or text in older items). */
const verdictFieldsOf = (item: Item): Record<string, unknown> => {
  const { [ATTR.body]: _body, ...rest } = item;
  return fieldsOf(rest);
};

const verdictOf = (item: Item, fields: Record<string, unknown>): Verdict => {
  const body = required(parseObject(verdictBodyText(item[ATTR.body]), fields, ATTR.body), fields);
  if (typeof body.verdict_id !== 'string') throw new Error('Stored verdict has no verdict_id');
  const review = jsonObject(fields, ATTR.review) as Review | null;
  const enforcement = jsonObject(fields, ATTR.enforcement) as Enforcement | null;
  return withVerdictDefaults({
    ...(body as unknown as Verdict),
    review,
    outcome: outcomeOf(fields),
    ...(enforcement ? { enforcement } : {}),
  });
};

/** The verdict as the API returns it: body, review merged in, `subject_ref`/`review` null for older items. */
export const itemToVerdict = (item: Item): Verdict => verdictOf(item, verdictFieldsOf(item));

export const itemToStoredVerdict = (item: Item): StoredVerdict => {
  const fields = verdictFieldsOf(item);
  const facts = jsonObject(fields, ATTR.facts) as DecisionFacts | null;
  return {
    verdict: verdictOf(item, fields),
    emailHash: EMAIL_PARTITION.valueOf(text(fields[ATTR.emailPk])),
    phoneHash: PHONE_PARTITION.valueOf(text(fields[ATTR.phonePk])),
    facts: facts ?? { runtimeLists: [], velocity: [] },
  };
};

/**
 * The verdict of a stream record's image (DynamoDB Streams' NEW_IMAGE or OLD_IMAGE); null when the image is absent
 * or of another kind of item (a marker, a cached result, a counter, a list entry).
 */
export const verdictFromStreamImage = (image: Record<string, unknown> | undefined): Verdict | null => {
  if (image === undefined) return null;
  const item = image as Item;
  return VERDICT_PK.valueOf(item[ATTR.pk]?.S) === null ? null : itemToVerdict(item);
};

/**
 * A new verdict as the statistics need it (docs/capacity.md), from a stream record's NEW_IMAGE: the verdict, its expiry
 * and whether its screening counted it; null when the image is absent or of another kind of item.
 */
export const createdFromStreamImage = (
  image: Record<string, unknown> | undefined,
): Pick<VerdictRecord, 'verdict' | 'expiresAt' | 'counted'> | null => {
  const verdict = verdictFromStreamImage(image);
  if (verdict === null) return null;
  const item = image as Item;
  const expiresAt = expiryOf(item);
  if (expiresAt === undefined) throw new Error(`Stored verdict ${verdict.verdict_id} has no expiry`);
  return { verdict, expiresAt, ...(item[ATTR.counted]?.BOOL === true ? { counted: true as const } : {}) };
};

// ---- cached Defastra results -----------------------------------------------------------------------------

export const cachedToItem = (
  kind: IdentifierKind,
  hash: string,
  result: CachedResult,
  expiresAt: number,
): Item => ({
  ...cacheKey(kind, hash),
  ...toAttributes({ [ATTR.body]: JSON.stringify(result), [ATTR.expiresAt]: expiresAt }),
});

export const itemToCached = (item: Item): CachedResult => {
  const body = bodyOf(fieldsOf(item));
  if (typeof body.riskLevel !== 'string') throw new Error('Stored cache entry has no riskLevel');
  return body as unknown as CachedResult;
};

// ---- markers ---------------------------------------------------------------------------------------------

export const markerToItem = (scope: MarkerScope, id: string, marker: MarkerRecord): Item => ({
  ...markerKey(scope, id),
  ...toAttributes({
    [ATTR.state]: marker.state,
    [ATTR.bodyHash]: marker.bodyHash,
    [ATTR.lockUntil]: marker.lockUntil,
    [ATTR.lockToken]: marker.lockToken,
    [ATTR.expiresAt]: marker.expiresAt,
    [ATTR.verdictId]: marker.verdictId,
    [ATTR.writeBack]: marker.writeBack,
  }),
});

export const itemToMarker = (item: Item): MarkerRecord => {
  const fields = fieldsOf(item);
  const writeBack = fields[ATTR.writeBack];
  return {
    state: fields[ATTR.state] === 'done' ? 'done' : 'in_progress',
    bodyHash: text(fields[ATTR.bodyHash]) ?? '',
    lockUntil: num(fields[ATTR.lockUntil]) ?? 0,
    lockToken: text(fields[ATTR.lockToken]),
    expiresAt: num(fields[ATTR.expiresAt]),
    verdictId: text(fields[ATTR.verdictId]),
    writeBack: isWriteBackState(writeBack) ? writeBack : undefined,
  };
};

// ---- runtime list entries --------------------------------------------------------------------------------

export const listLookupItem = (stored: StoredListEntry, expiresAtSec: number | null): Item => ({
  ...listLookupKey({ kind: stored.entry.kind, valueKey: stored.valueKey }, stored.entry.action),
  ...toAttributes({
    [ATTR.entryId]: stored.entry.entry_id,
    [ATTR.body]: JSON.stringify(stored),
    [ATTR.expiresAt]: expiresAtSec ?? undefined,
  }),
});

export const listEntryItem = (stored: StoredListEntry, expiresAtSec: number | null): Item => ({
  ...listEntryKey(stored.entry.entry_id),
  ...toAttributes({
    [ATTR.kind]: stored.entry.kind,
    [ATTR.action]: stored.entry.action,
    [ATTR.body]: JSON.stringify(stored),
    [ATTR.expiresAt]: expiresAtSec ?? undefined,
  }),
});

export const itemToStoredListEntry = (item: Item): StoredListEntry => {
  const body = bodyOf(fieldsOf(item)) as unknown as StoredListEntry;
  if (typeof body.valueKey !== 'string' || typeof body.entry?.entry_id !== 'string') {
    throw new Error('Stored list entry is invalid');
  }
  return body;
};

// ---- velocity and statistics counters --------------------------------------------------------------------

/** The identities one velocity counter shard holds (none when absent). */
export const velocityIdsOf = (item: Item | undefined): Set<string> => {
  const value = item?.[ATTR.ids];
  return new Set(value !== undefined && 'SS' in value ? value.SS : []);
};

/** Counter attributes are the counter names prefixed, so none collides with a key or a reserved word. */
export const COUNTER_PREFIX = 'c_';

/** The counters of a stats item, without the prefix. */
export const itemToCounts = (item: Item): StatsCounts => {
  const counts: StatsCounts = {};
  for (const [name, value] of Object.entries(item) as Array<[string, AttributeValue]>) {
    if (!name.startsWith(COUNTER_PREFIX) || !('N' in value)) continue;
    counts[name.slice(COUNTER_PREFIX.length)] = Number(value.N);
  }
  return counts;
};
