/**
 * Verdict listing for every adapter: which index and partitions serve a query (the partitions named by what they hold,
 * not by key shapes: each adapter maps them), the newest-first page walk over them, and the signed filter-bound cursor.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Decision, Source } from '../core/levels.js';
import { toInstant } from '../core/time.js';
import type { Verdict } from '../core/verdict.js';
import type { ReviewFilter } from '../core/vocabulary.js';
import { reviewStateOf } from '../reviews/state.js';
import { InvalidCursorError } from './errors.js';
import type { ListQuery, StoredVerdict, VerdictPage, VerdictQuery } from './ports.js';
import { allShards, VERDICT_SHARDS, verdictShard } from './shards.js';

export const MIN_LIMIT = 1;
export const MAX_LIMIT = 100;
const MAX_CURSOR_LENGTH = 4096;
const CURSOR_VERSION = 1;
const SIGNING_CONTEXT = 'signup-gate/verdicts-cursor/v1';

/** The ways verdicts are listed: by email or phone hash, by review state, by decision, by time. */
export type VerdictIndex = 'byEmail' | 'byPhone' | 'byTime' | 'byDecision' | 'byReview';

/**
 * One partition of an index: the value it is keyed by (an email or phone hash, a decision, a review state; none for
 * time) and, for the sharded indexes (review, decision, time), its shard.
 */
export interface IndexPartition {
  value?: string;
  shard?: number;
}

/** How a query is served: which index, which partitions (several are merged newest-first), what is left to filter. */
export interface QueryPlan {
  index: VerdictIndex;
  partitions: IndexPartition[];
  /** Filters the partitions do not serve (a FilterExpression in DynamoDB). */
  filters: { phoneHash?: string; decision?: Decision; source?: Source; review?: ReviewFilter };
  /** Inclusive lower bound on the sort key, normalised ISO. */
  since?: string;
  /** Exclusive upper bound on the sort key, normalised ISO. */
  until?: string;
}

/** The partition of `index` a stored verdict is listed in; null when that index does not list it. */
export const partitionOf = (
  index: VerdictIndex,
  stored: Pick<StoredVerdict, 'verdict' | 'emailHash' | 'phoneHash'>,
): IndexPartition | null => {
  const { verdict } = stored;
  const shard = verdictShard(verdict.verdict_id);
  switch (index) {
    case 'byEmail':
      return stored.emailHash ? { value: stored.emailHash } : null;
    case 'byPhone':
      return stored.phoneHash ? { value: stored.phoneHash } : null;
    case 'byTime':
      return { shard };
    case 'byDecision':
      return { value: verdict.decision, shard };
    case 'byReview': {
      const state = reviewStateOf(verdict.decision, verdict.review);
      return state === 'none' ? null : { value: state, shard };
    }
  }
};

/** `<created_at ISO>#<verdict_id>`: the listing order, unique per verdict, by time then id. */
export const createdSortKey = (verdict: Pick<Verdict, 'created_at' | 'verdict_id'>): string => {
  const ms = Date.parse(verdict.created_at);
  const instant = Number.isFinite(ms) ? new Date(ms).toISOString() : verdict.created_at;
  return `${instant}#${verdict.verdict_id}`;
};

/** A sort-key window: `from` inclusive, `before` exclusive, both optional. */
export interface SortKeyRange {
  from?: string;
  before?: string;
}

export interface ListedVerdict {
  /** The verdict's `createdSortKey`. */
  sortKey: string;
  verdict: Verdict;
}

/**
 * Reads one partition newest-first within `range`, applying the plan's filters and expiry.
 * Must return `need` items when that many exist (fewer means the partition is exhausted).
 */
export type FetchPartition = (
  partition: IndexPartition,
  range: SortKeyRange,
  need: number,
) => Promise<ListedVerdict[]>;

/** Per partition: `null` not started, a sort key to continue below, `false` exhausted. */
export type Position = string | null | false;

/**
 * Checks the limit and picks the most selective index: email hash, else phone hash, else review state, else
 * decision, else time. The sharded indexes (review, decision, time) read every shard and merge them.
 */
export const planQuery = (query: VerdictQuery): QueryPlan => {
  const { limit } = query;
  if (!Number.isInteger(limit) || limit < MIN_LIMIT || limit > MAX_LIMIT) {
    throw new RangeError(`limit must be an integer from ${MIN_LIMIT} to ${MAX_LIMIT}`);
  }
  const range: Pick<QueryPlan, 'since' | 'until'> = {};
  if (query.since !== undefined) range.since = toInstant(query.since, 'since');
  if (query.until !== undefined) range.until = toInstant(query.until, 'until');
  const filters: QueryPlan['filters'] = {};
  if (query.source !== undefined) filters.source = query.source;
  if (query.decision !== undefined) filters.decision = query.decision;
  if (query.review !== undefined) filters.review = query.review;
  const shards = allShards(VERDICT_SHARDS);
  if (query.emailHash !== undefined) {
    if (query.phoneHash !== undefined) filters.phoneHash = query.phoneHash;
    return { index: 'byEmail', partitions: [{ value: query.emailHash }], filters, ...range };
  }
  if (query.phoneHash !== undefined) {
    return { index: 'byPhone', partitions: [{ value: query.phoneHash }], filters, ...range };
  }
  if (query.review !== undefined) {
    const { review, ...rest } = filters;
    return {
      index: 'byReview',
      partitions: shards.map((shard) => ({ value: review, shard })),
      filters: rest,
      ...range,
    };
  }
  if (query.decision !== undefined) {
    const { decision, ...rest } = filters;
    return {
      index: 'byDecision',
      partitions: shards.map((shard) => ({ value: decision, shard })),
      filters: rest,
      ...range,
    };
  }
  return { index: 'byTime', partitions: shards.map((shard) => ({ shard })), filters, ...range };
};

/** Whether a stored verdict passes the plan's residual filters (the partition itself is matched by the caller). */
export const matchesFilters = (
  plan: QueryPlan,
  stored: Pick<StoredVerdict, 'verdict' | 'phoneHash'>,
): boolean => {
  const { phoneHash, decision, source, review } = plan.filters;
  const { verdict } = stored;
  if (phoneHash !== undefined && stored.phoneHash !== phoneHash) return false;
  if (decision !== undefined && verdict.decision !== decision) return false;
  if (source !== undefined && verdict.source !== source) return false;
  return review === undefined || reviewStateOf(verdict.decision, verdict.review) === review;
};

/** True when the plan filters on more than the key condition (pages may come back short). */
export const hasResidualFilters = (plan: QueryPlan): boolean => Object.keys(plan.filters).length > 0;

const lower = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined || a < b ? a : b;

/**
 * One page, newest first: reads `limit + 1` items from each live partition, merges them by sort key and keeps
 * `limit`. Sort keys are unique (`<created_at>#<verdict_id>`), so resuming strictly below the last one returned
 * walks every item exactly once, even when many share a millisecond.
 */
export const walkPage = async (
  plan: QueryPlan,
  limit: number,
  positions: Position[],
  fetchPartition: FetchPartition,
): Promise<{ items: Verdict[]; next: Position[] | null }> => {
  const need = limit + 1;
  const slices = await Promise.all(
    plan.partitions.map(async (partition, i) => {
      const position = positions[i] ?? null;
      if (position === false) return [];
      const range: SortKeyRange = {};
      if (plan.since !== undefined) range.from = plan.since;
      const before = lower(plan.until, position ?? undefined);
      if (before !== undefined) range.before = before;
      if (range.from !== undefined && range.before !== undefined && range.from >= range.before) return [];
      return fetchPartition(partition, range, need);
    }),
  );
  const merged = slices
    .flatMap((slice, partition) => slice.map((entry) => ({ ...entry, partition })))
    .sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0));
  const page = merged.slice(0, limit);
  if (merged.length <= limit) return { items: page.map((entry) => entry.verdict), next: null };

  const next = plan.partitions.map((_, i): Position => {
    const slice = slices[i] ?? [];
    const taken = page.filter((entry) => entry.partition === i);
    if (slice.length < need && taken.length === slice.length) return false;
    return taken.at(-1)?.sortKey ?? positions[i] ?? null;
  });
  return { items: page.map((entry) => entry.verdict), next };
};

/** What the signature binds a cursor to: the plan, i.e. every filter of the query (not the limit). */
const fingerprint = (plan: QueryPlan): string =>
  JSON.stringify([
    plan.index,
    plan.partitions,
    plan.filters.phoneHash ?? null,
    plan.filters.decision ?? null,
    plan.filters.source ?? null,
    plan.filters.review ?? null,
    plan.since ?? null,
    plan.until ?? null,
  ]);

const sign = (key: string, payload: string, bind: string): string =>
  createHmac('sha256', key).update(`${SIGNING_CONTEXT}\n${bind}\n${payload}`).digest('base64url');

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * `<base64url JSON state>.<base64url HMAC-SHA256>`: an opaque cursor whose signature binds it to `bind` (the
 * query's filters), so a cursor of another query, another key or with any altered byte never opens.
 */
export const sealCursor = (key: string, bind: string, state: unknown): string => {
  const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
  return `${payload}.${sign(key, payload, bind)}`;
};

/** The state of a cursor sealed with `key` for `bind`; InvalidCursorError otherwise. */
export const openCursor = (key: string, bind: string, cursor: string): unknown => {
  const invalid = () => new InvalidCursorError('cursor is invalid or does not belong to this query');
  if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH) throw invalid();
  const parts = cursor.split('.');
  const [payload, signature] = parts;
  if (parts.length !== 2 || payload === undefined || signature === undefined) throw invalid();
  if (!BASE64URL.test(payload) || !BASE64URL.test(signature)) throw invalid();
  // Compare the text, not decoded bytes: base64url's spare low bits would otherwise let an altered character pass.
  const expected = Buffer.from(sign(key, payload, bind));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
};

/** A verdict listing's cursor: the position in each partition, bound to the query's filters. */
export const encodeCursor = (key: string, plan: QueryPlan, positions: Position[]): string =>
  sealCursor(key, fingerprint(plan), { v: CURSOR_VERSION, p: positions });

const isPosition = (value: unknown): value is Position =>
  value === null || value === false || (typeof value === 'string' && value.length > 0 && value.length <= 512);

/** Verifies a cursor against the plan; any altered byte, other filters or other key → InvalidCursorError. */
export const decodeCursor = (key: string, plan: QueryPlan, cursor: string): Position[] => {
  const state = openCursor(key, fingerprint(plan), cursor);
  const invalid = () => new InvalidCursorError('cursor is invalid or does not belong to this query');
  if (typeof state !== 'object' || state === null) throw invalid();
  const { v, p } = state as { v?: unknown; p?: unknown };
  if (v !== CURSOR_VERSION || !Array.isArray(p) || p.length !== plan.partitions.length) throw invalid();
  const positions: unknown[] = p;
  if (!positions.every(isPosition)) throw invalid();
  return positions as Position[];
};

/** The whole listing: plan, verify the cursor, walk one page, sign the next cursor. */
export const listVerdicts = async (
  key: string,
  query: VerdictQuery,
  fetchFor: (plan: QueryPlan) => FetchPartition,
): Promise<VerdictPage> => {
  const plan = planQuery(query);
  const positions =
    query.cursor === undefined ? plan.partitions.map(() => null) : decodeCursor(key, plan, query.cursor);
  const { items, next } = await walkPage(plan, query.limit, positions, fetchFor(plan));
  return { items, nextCursor: next === null ? null : encodeCursor(key, plan, next) };
};

/** What a runtime-list cursor is bound to: its filters (not the limit). */
const listCursorBind = (query: ListQuery): string =>
  JSON.stringify(['lists', query.kind ?? null, query.action ?? null]);

/** A list listing's cursor: the last entry id returned, sealed to the query's filters. */
export const encodeListCursor = (key: string, query: ListQuery, lastEntryId: string): string =>
  sealCursor(key, listCursorBind(query), lastEntryId);

/** The entry id to continue below, or undefined on the first page; InvalidCursorError for anything else. */
export const decodeListCursor = (key: string, query: ListQuery): string | undefined => {
  if (query.cursor === undefined) return undefined;
  const state = openCursor(key, listCursorBind(query), query.cursor);
  if (typeof state !== 'string' || !/^[0-9A-Z]{26}$/.test(state)) {
    throw new InvalidCursorError('cursor is invalid or does not belong to this query');
  }
  return state;
};
