/** Run-once semantics over the store's markers: Idempotency-Key handling (design 1.3) and event dedupe. */

import type { Source } from '../policy/levels.js';
import type { ResolvedPolicy } from '../policy/schema.js';
import { bodyHash } from '../screening/hashing.js';
import type { Verdict, VerdictRecord } from '../screening/verdict.js';
import type { MarkerScope, VerdictStore, WriteBackState } from '../store/port.js';
import { ApiError, badRequest } from './errors.js';

/** How long a done marker outlives its request: as long as the verdict it points to. */
export interface RunOnceRequest {
  scope: MarkerScope;
  key: string;
  bodyHash: string;
  /** The route's budget; the in-progress lock lasts this plus 5 s. */
  budgetMs: number;
  /** Epoch seconds after which the marker may be deleted. */
  expiresAt: number;
}

export type RunOnceResult =
  | { replayed: false; record: VerdictRecord }
  | { replayed: true; verdict: Verdict; writeBack?: 'none' | 'pending' | 'done' };

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The `Idempotency-Key` header, validated (printable ASCII, 1–255 characters), or null when absent. */
export const readIdempotencyKey = (header: string | undefined): string | null => {
  if (header === undefined) return null;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw badRequest('Idempotency-Key must be 1 to 255 printable ASCII characters');
  }
  return header;
};

export const LOCK_MARGIN_MS = 5_000;

/**
 * Claims the marker, runs `work` once, and records its verdict. A repeat gets the stored verdict;
 * a concurrent repeat gets 409 `in_progress`; the same key with another body gets 422.
 * When `work` throws, the marker is released so a later attempt runs again.
 */
export const runOnce = async (
  store: VerdictStore,
  request: RunOnceRequest,
  work: () => Promise<VerdictRecord>,
  /** The write-back state to record with the done marker (same write, so a crash cannot lose it). */
  writeBackFor?: (record: VerdictRecord) => WriteBackState | undefined,
): Promise<RunOnceResult> => {
  const claim = await store.claimMarker({
    scope: request.scope,
    key: request.key,
    bodyHash: request.bodyHash,
    lockMs: request.budgetMs + LOCK_MARGIN_MS,
    expiresAt: request.expiresAt,
  });
  if (claim.state !== 'claimed') {
    if (claim.bodyHash !== request.bodyHash) {
      throw new ApiError(
        422,
        'idempotency_key_reused',
        'this Idempotency-Key was used with a different body',
      );
    }
    if (claim.state === 'in_progress') {
      throw new ApiError(409, 'in_progress', 'the same request is being processed; retry shortly');
    }
    const verdict = await store.getVerdict(claim.verdictId);
    if (!verdict)
      throw new ApiError(409, 'in_progress', 'the earlier result is not readable yet; retry shortly');
    return { replayed: true, verdict, ...(claim.writeBack ? { writeBack: claim.writeBack } : {}) };
  }
  let record: VerdictRecord;
  try {
    record = await work();
  } catch (error) {
    await store.releaseMarker(request.scope, request.key).catch(() => undefined);
    throw error;
  }
  await store.completeMarker(request.scope, request.key, record.verdict.verdict_id, writeBackFor?.(record));
  return { replayed: false, record };
};

/** Epoch seconds until which a marker is kept: as long as the verdicts of the policy. */
export const markerExpiry = (policy: ResolvedPolicy, nowMs: number): number =>
  Math.ceil(nowMs / 1000) + policy.retention_days * 86_400;

/**
 * The verdict to answer for a request that may carry an `Idempotency-Key` (scoped to `scope`):
 * without a key `work` simply runs; with one it runs once per key and body (see runOnce).
 */
export const verdictOnce = async (
  store: VerdictStore,
  request: { scope: Source; key: string | null; rawBody: string; policy: ResolvedPolicy; nowMs: number },
  work: () => Promise<VerdictRecord>,
): Promise<Verdict> => {
  if (!request.key) return (await work()).verdict;
  const result = await runOnce(
    store,
    {
      scope: request.scope,
      key: request.key,
      bodyHash: bodyHash(request.rawBody),
      budgetMs: request.policy.budget_ms[request.scope],
      expiresAt: markerExpiry(request.policy, request.nowMs),
    },
    work,
  );
  return result.replayed ? result.verdict : result.record.verdict;
};
