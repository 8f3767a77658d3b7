/** The store port: verdicts, idempotency markers and cached Defastra results, as the use cases need them. */
import type { Check, CheckKind } from '../defastra/types.js';
import type { Decision, RiskLevel, Source } from '../policy/levels.js';
import type { Verdict, VerdictRecord } from '../screening/verdict.js';

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

/** Marker scopes: one per route that deduplicates (named after its source). */
export type MarkerScope = Source;

export type MarkerClaim =
  /** This caller now holds the marker and must complete or release it. */
  | { state: 'claimed' }
  /** Another caller holds it and its lock has not expired. */
  | { state: 'in_progress'; bodyHash: string }
  /** Already processed. */
  | { state: 'done'; bodyHash: string; verdictId: string; writeBack?: WriteBackState };

export type WriteBackState = 'none' | 'pending' | 'done';

export interface ClaimRequest {
  scope: MarkerScope;
  key: string;
  /** Hash of the request body, to tell a reused key (422) from a repeat. */
  bodyHash: string;
  /** How long the in-progress lock lasts before another caller may take over, in ms. */
  lockMs: number;
  /** Epoch seconds after which the marker may be deleted. */
  expiresAt: number;
}

/** Thrown by a cursor that does not decode or verify: answered 400. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

/** Thrown when the store cannot be reached or fails: answered 5xx, never half-written. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

export interface VerdictStore {
  saveVerdict(record: VerdictRecord): Promise<void>;
  getVerdict(verdictId: string): Promise<Verdict | null>;
  queryVerdicts(query: VerdictQuery): Promise<VerdictPage>;

  getCachedResult(kind: CheckKind, hash: string): Promise<CachedResult | null>;
  putCachedResult(kind: CheckKind, hash: string, result: CachedResult, expiresAt: number): Promise<void>;

  /** Conditional put: the lock that makes one event or idempotency key run once. */
  claimMarker(request: ClaimRequest): Promise<MarkerClaim>;
  /** Marks a claimed marker done with its verdict. */
  completeMarker(
    scope: MarkerScope,
    key: string,
    verdictId: string,
    writeBack?: WriteBackState,
  ): Promise<void>;
  /** Records the write-back state of a done marker. */
  setWriteBack(scope: MarkerScope, key: string, writeBack: WriteBackState): Promise<void>;
  /** Drops a claimed marker so the next delivery runs again (nothing final was stored). */
  releaseMarker(scope: MarkerScope, key: string): Promise<void>;
}
