/**
 * The store's ports, one per concern, as the use cases need them: verdicts and their reviews, the reads (and velocity
 * adds) a screening makes before Defastra in one round trip, runtime list entries, run-once markers, statistics
 * counters. `Store` bundles them; an adapter (shared/store/dynamo/, shared/store/memory.ts) is a factory returning it.
 */

import type { ListEntry } from '../api/lists.js';
import type { PolicyDocument, PolicyVersionSummary } from '../api/policy.js';
import type { Decision, RiskLevel, Source } from '../core/levels.js';
import type { Check, Enforcement, Outcome, Review, Verdict, VerdictRecord } from '../core/verdict.js';
import type { IdentifierKind, ListAction, ListKind, RefKind, ReviewFilter } from '../core/vocabulary.js';

/** A Defastra result as cached: only what a verdict shows, never raw enrichment data. */
export interface CachedResult {
  riskLevel: RiskLevel;
  riskScore: number;
  requestId: string;
  checks: Check[];
  /** Epoch milliseconds when Defastra answered. */
  checkedAt: number;
}

export interface VerdictQuery {
  emailHash?: string;
  phoneHash?: string;
  decision?: Decision;
  source?: Source;
  review?: ReviewFilter;
  /** Inclusive lower bound, ISO 8601. */
  since?: string;
  /** Exclusive upper bound, ISO 8601. */
  until?: string;
  /** 1 to 100. */
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface VerdictPage {
  items: Verdict[];
  nextCursor: string | null;
}

/** A stored verdict with what the store keeps beside it (hashes, decision facts): for reviews and replays. */
export type StoredVerdict = Omit<VerdictRecord, 'expiresAt'>;

/**
 * A stored verdict right after an update (a review, an outcome label), with the verdict as it was just before: what
 * the update changed is the difference, read in the same write, so counters moved from it stay exact under races.
 */
export interface UpdatedVerdict extends StoredVerdict {
  before: Verdict;
}

/** Verdicts stored under one keyed hash: of their email, their phone, or a reference the caller gave. */
export interface VerdictMatch {
  kind: IdentifierKind | RefKind;
  hash: string;
}

/** Which stored verdicts a replay reads: created in [since, until) (ISO 8601), optionally of one source, at most `max`. */
export interface StoredVerdictRange {
  since: string;
  until: string;
  source?: Source;
  max: number;
  /**
   * Most verdicts of the range (all sources) to read while looking for those of `source`; default `max`. A source is a
   * filter, not an index: this bounds what a replay of a rare source costs (docs/capacity.md).
   */
  maxRead?: number;
}

/** Marker scopes: one per route that deduplicates (named after its source). */
export type MarkerScope = Source;

export type MarkerClaim =
  /**
   * This caller now holds the marker (proved by `token`) and must complete, release or lapse it. `verdictId` is the
   * id its verdict must have: the one the claim proposed, or, when it took over a lapsed claim (`resumed`), the one
   * that claim reserved, whose verdict may already be stored.
   */
  | { state: 'claimed'; token: string; verdictId: string; resumed: boolean }
  /** Another caller holds it and its lock has not expired. */
  | { state: 'in_progress'; bodyHash: string }
  /** Already processed. */
  | { state: 'done'; bodyHash: string; verdictId: string; writeBack?: WriteBackState };

export type WriteBackState = 'none' | 'pending' | 'done';

export interface ClaimRequest {
  scope: MarkerScope;
  key: string;
  /** Keyed hash of the request body, to tell a reused key (422) from a repeat. */
  bodyHash: string;
  /** How long the in-progress lock lasts before another caller may take over, in ms. */
  lockMs: number;
  /** Epoch seconds after which the marker may be deleted. */
  expiresAt: number;
  /** The verdict id this claim reserves (a fresh ULID); a lapsed claim's reserved id is kept instead. */
  verdictId: string;
  /**
   * The verdict id of a done marker whose verdict is missing (never stored, or gone): such a marker is taken over too,
   * keeping that id, so the key runs again instead of answering 409 until the marker expires.
   */
  reopen?: string;
}

/** The value an entry is looked up by: the keyed hash (email, phone, IP) or the lowercased domain. */
export interface ListKey {
  kind: ListKind;
  valueKey: string;
}

export interface StoredListEntry {
  entry: ListEntry;
  valueKey: string;
}

export interface ListQuery {
  kind?: ListKind;
  action?: ListAction;
  limit: number;
  cursor?: string;
}

export interface ListPage {
  items: ListEntry[];
  nextCursor: string | null;
}

/**
 * One velocity key of one screening (docs/waves.md): the distinct identities seen under `counter` in the current
 * window. The identity is added to one of `shards` sets (chosen by the identity, so distinctness holds); the
 * count is that set's size plus the others'. A set stops growing at `shardCap`, so no item grows past a few KB
 * however long a flood lasts (every add is billed on the whole item).
 */
export interface VelocityCount {
  /** Counter name, e.g. `ip#<keyed hash>#<window start>`. */
  counter: string;
  /** A short keyed identity of the screened person (the email, else the phone). */
  identity: string;
  shard: number;
  shards: number;
  /** Most identities one shard keeps (see velocity/counts.ts for how it is chosen). */
  shardCap: number;
  /** Epoch seconds when the window's items may go. */
  expiresAt: number;
}

/** What a velocity count gave: the distinct count (this screening included), and whether we added the identity. */
export interface VelocityResult {
  count: number;
  added: boolean;
}

/** The reads (and velocity adds) a screening makes before any Defastra call, in one store round trip. */
export interface PreludeRequest {
  cache: Array<{ kind: IdentifierKind; hash: string }>;
  lists: ListKey[];
  velocity: VelocityCount[];
  /** The UTC hour (ISO, e.g. `2026-11-30T07:00:00.000Z`) whose Defastra calls to total, when a spend cap is set. */
  spendHour?: string;
}

export interface PreludeResult {
  /** Cached results by `<kind>:<hash>`. */
  cache: Map<string, CachedResult>;
  /** Live runtime entries that matched one of the keys. */
  lists: StoredListEntry[];
  /** One per requested count, in order; null when the count could not be written (never blocks anyone). */
  velocity: Array<VelocityResult | null>;
  /** Defastra calls recorded in `spendHour` so far (all instances), when asked. */
  spendCalls: number | null;
}

/** Counter names of `GET /stats` buckets (docs/reviews.md); `by_source` ones are `src_<source>_<decision>`. */
export type StatsCounts = Record<string, number>;

export interface StatsIncrement {
  /** The UTC hour the verdict falls in, ISO. */
  hour: string;
  /** Spreads writes over the counter shards (e.g. the verdict id). */
  shardSeed: string;
  counts: StatsCounts;
  /** Epoch seconds when the hour's counters may go. */
  expiresAt: number;
}

export interface StatsHour {
  hour: string;
  counts: StatsCounts;
}

/** What a capped range read gave: the records kept, and whether more were in the range. */
export interface StoredVerdictList {
  records: StoredVerdict[];
  truncated: boolean;
}

/** Verdicts: saved once by a screening, read by id, listed through the indexes, read in ranges for replays, reviewed. */
export interface VerdictRepository {
  save(record: VerdictRecord): Promise<void>;
  get(verdictId: string): Promise<Verdict | null>;
  getStored(verdictId: string): Promise<StoredVerdict | null>;
  /** One page of a filtered listing, newest first, with a signed cursor bound to the filters. */
  query(query: VerdictQuery): Promise<VerdictPage>;
  /**
   * Stored verdicts created in [since, until), optionally of one source (replay): the newest `max` of them, newest
   * first; `truncated` when the range holds more. With a source, at most about `maxRead` verdicts of the range are
   * read: when that stops the read early, the answer holds the source's verdicts newer than where it stopped, and is
   * `truncated`.
   */
  listStored(range: StoredVerdictRange): Promise<StoredVerdictList>;
  /** Sets (replaces) the review; null when no such verdict. */
  /**
   * Records a re-screen attempt (docs/rescreen.md): the verdict and its decision facts become `after`'s, its review is
   * kept. Only while its re-screen is still pending, and (when `before` had no review) not reviewed since `before` was
   * read; null otherwise (gone, no longer pending, reviewed meanwhile): the caller reads it again.
   */
  rescreen(before: StoredVerdict, after: StoredVerdict): Promise<StoredVerdict | null>;
  review(verdictId: string, review: Review): Promise<UpdatedVerdict | null>;
  /**
   * Sets (replaces) the outcome label (docs/outcomes.md); null when no such verdict. The same label, source, note
   * and author as the one stored changes nothing (its `labelled_at` stays): `before` then equals the verdict.
   */
  label(verdictId: string, outcome: Outcome): Promise<UpdatedVerdict | null>;
  /** The ids of the live verdicts stored under one keyed hash, newest first: one index partition, never a scan. */
  idsMatching(match: VerdictMatch): Promise<string[]>;
  /**
   * Records what was done at the provider (docs/enforcement.md): replaces `enforcement` and nothing else; null when no
   * such verdict. The update is a verdict change like any other (the change feed and the stream report it).
   */
  setEnforcement(verdictId: string, enforcement: Enforcement): Promise<StoredVerdict | null>;
}

/** What a screening reads before any Defastra call (one round trip), and the cache writes after it. */
export interface ScreeningReads {
  /** Cache reads, runtime list look-ups, velocity adds and the spend total: one round trip. */
  prelude(request: PreludeRequest): Promise<PreludeResult>;
  /** Takes a screening's identity back out of a velocity count (an allow-listed screening is not counted). */
  forgetVelocity(count: VelocityCount): Promise<void>;
  putCachedResult(kind: IdentifierKind, hash: string, result: CachedResult, expiresAt: number): Promise<void>;
}

/** Runtime allow and block entries. */
export interface ListRepository {
  /** Creates the entry, or returns the live one with the same kind, value and action (`created: false`). */
  put(entry: StoredListEntry, expiresAtSec: number | null): Promise<{ entry: ListEntry; created: boolean }>;
  get(entryId: string): Promise<StoredListEntry | null>;
  delete(entryId: string): Promise<boolean>;
  query(query: ListQuery): Promise<ListPage>;
}

/** The markers that make one event or idempotency key run once. */
export interface MarkerRepository {
  /** Conditional put: the lock that makes one event or idempotency key run once. */
  claim(request: ClaimRequest): Promise<MarkerClaim>;
  /** Marks a claimed marker done with its verdict; false when `token` no longer holds it (the lock lapsed). */
  complete(
    scope: MarkerScope,
    key: string,
    token: string,
    verdictId: string,
    writeBack?: WriteBackState,
  ): Promise<boolean>;
  /** Records the write-back state of a done marker. */
  setWriteBack(scope: MarkerScope, key: string, writeBack: WriteBackState): Promise<void>;
  /** Drops a marker `token` still holds, so the next delivery runs again (nothing final was stored). */
  release(scope: MarkerScope, key: string, token: string): Promise<void>;
  /**
   * Makes a marker `token` still holds claimable at once, keeping its reserved verdict id (back to in progress if it
   * was completed): after a failed verdict write that may have landed, the next delivery resumes under that id.
   */
  lapse(scope: MarkerScope, key: string, token: string): Promise<void>;
}

/** Statistics counters per hour. */
export interface CounterRepository {
  record(increment: StatsIncrement): Promise<void>;
  /** Counters per hour in [sinceHour, untilHour), summed over shards, oldest first; hours without any are left out. */
  read(sinceHour: string, untilHour: string): Promise<StatsHour[]>;
}

/** A provisional verdict waiting to be re-screened (docs/rescreen.md). */
export interface PendingRescreen {
  verdictId: string;
  /** Epoch ms when the next attempt is due. */
  dueAt: number;
  /** Attempts made so far. */
  attempts: number;
  /** The identifiers, sealed (shared/rescreen/sealed.ts): never raw. */
  sealed: string;
  /** Epoch seconds after which the store may drop the item. */
  expiresAt: number;
}

/**
 * The pending re-screens: found by due time without a scan (sharded partitions ordered by due time), kept only while
 * pending. `enqueue` is one write the screening makes beside (in parallel with) its verdict write.
 */
export interface RescreenQueue {
  enqueue(item: PendingRescreen): Promise<void>;
  get(verdictId: string): Promise<PendingRescreen | null>;
  /** Items due at `nowMs` or before, the longest-waiting first, at most `limit`. */
  due(nowMs: number, limit: number): Promise<PendingRescreen[]>;
  /** Moves a pending item to `dueAt` with `attempts`; false when it is no longer pending. */
  reschedule(verdictId: string, dueAt: number, attempts: number): Promise<boolean>;
  /** Ends it: the item and its sealed identifiers are deleted. */
  finish(verdictId: string): Promise<void>;
}

/** A runtime policy version (or a shadow) as kept: never deleted (docs/policy-lifecycle.md). */
export interface StoredPolicyVersion extends PolicyVersionSummary {
  /** The version's number: `r<seq>` for a runtime version, `s<seq>` for a shadow. */
  seq: number;
  created_at: string;
  /** The effective merged policy, its `version` the version's own. */
  document: PolicyDocument;
}

/** What screenings run under, read in one round trip. */
export interface PolicyHead {
  /** The newest runtime version; null while the bundled file's is the only one. */
  active: StoredPolicyVersion | null;
  /** The shadow policy; null when none is set. */
  shadow: StoredPolicyVersion | null;
  /** The number of the last shadow ever set (0 before the first), so a new one is `s<n+1>` even after a clear. */
  shadowSeq: number;
}

/** Runtime policy versions and the shadow policy. Versions are appended with a conditional write, never changed. */
export interface PolicyVersionRepository {
  /** The newest version and the shadow (strongly consistent: a change just made is seen). */
  head(): Promise<PolicyHead>;
  /** Stores `version` unless its `seq` is taken (false: another write won, read the head again). */
  append(version: StoredPolicyVersion): Promise<boolean>;
  get(seq: number): Promise<StoredPolicyVersion | null>;
  /** Versions with a `seq` below `before` (all when absent), newest first, at most `limit`; without their documents. */
  list(query: { before?: number; limit: number }): Promise<Array<Omit<StoredPolicyVersion, 'document'>>>;
  /** Sets the shadow unless another was set since `shadow.seq - 1` was the last one (false: read the head again). */
  putShadow(shadow: StoredPolicyVersion): Promise<boolean>;
  /** Removes the shadow (its number stays used); false when none was set. */
  clearShadow(): Promise<boolean>;
}

/** Every port of one store: what `AppDeps.store` holds. */
export interface Store {
  verdicts: VerdictRepository;
  screening: ScreeningReads;
  lists: ListRepository;
  markers: MarkerRepository;
  counters: CounterRepository;
  rescreen: RescreenQueue;
  policies: PolicyVersionRepository;
}
