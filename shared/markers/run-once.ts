/**
 * Run-once over the store's markers (Idempotency-Key, event ids, webhook ids): claim the key, run the work once, and
 * complete the marker in the same round trip as the work's verdict write. A repeat gets the stored verdict; a
 * concurrent repeat InProgressError; the same key with another body IdempotencyKeyReusedError.
 */
import { errorName } from '../core/errors.js';
import type { Verdict, VerdictRecord } from '../core/verdict.js';
import type { KeyedHasher } from '../core/vocabulary.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { ResolvedPolicy } from '../policy/schema.js';
import type { MarkerScope, Store, WriteBackState } from '../store/ports.js';
import { IdempotencyKeyReusedError, InProgressError } from './errors.js';

export interface RunOnceRequest {
  scope: MarkerScope;
  key: string;
  /** Keyed hash of the request body (see `keyedBodyHash`). */
  bodyHash: string;
  /** The route's budget; the in-progress lock lasts this plus 5 s. */
  budgetMs: number;
  /** Epoch seconds after which the marker may be deleted. */
  expiresAt: number;
}

export type RunOnceResult =
  | { replayed: false; record: VerdictRecord }
  | { replayed: true; verdict: Verdict; writeBack?: WriteBackState };

/** A screening run under a marker: it makes `alongside` (the marker's completion) in the same round trip as its verdict write. */
export type MarkedWork = (alongside: (record: VerdictRecord) => Promise<void>) => Promise<VerdictRecord>;

export const LOCK_MARGIN_MS = 5_000;

/** A body's keyed hash: someone who reads the table cannot confirm a guessed body (an email) offline. */
export const keyedBodyHash = (hash: KeyedHasher, rawBody: string): string => hash('request_body', rawBody);

/** Epoch seconds until which a marker is kept: as long as the verdicts of the policy. */
export const markerExpiry = (policy: ResolvedPolicy, nowMs: number): number =>
  Math.ceil(nowMs / 1000) + policy.retention_days * 86_400;

/**
 * Claims the marker, runs `work` once, and records its verdict: the marker is completed in the same round trip as
 * the verdict write. When `work` throws, the marker is released (only if this call still holds it), so a later
 * attempt runs again.
 */
export const runOnce = async (
  store: Pick<Store, 'markers' | 'verdicts'>,
  request: RunOnceRequest,
  work: MarkedWork,
  /** The write-back state to record with the done marker (same write, so a crash cannot lose it). */
  writeBackFor?: (record: VerdictRecord) => WriteBackState | undefined,
  telemetry?: Telemetry,
): Promise<RunOnceResult> => {
  const claim = await store.markers.claim({
    scope: request.scope,
    key: request.key,
    bodyHash: request.bodyHash,
    lockMs: request.budgetMs + LOCK_MARGIN_MS,
    expiresAt: request.expiresAt,
  });
  if (claim.state !== 'claimed') {
    if (claim.bodyHash !== request.bodyHash) {
      throw new IdempotencyKeyReusedError('this Idempotency-Key was used with a different body');
    }
    if (claim.state === 'in_progress') {
      throw new InProgressError('the same request is being processed; retry shortly');
    }
    const verdict = await store.verdicts.get(claim.verdictId);
    if (!verdict) throw new InProgressError('the earlier result is not readable yet; retry shortly');
    return { replayed: true, verdict, ...(claim.writeBack ? { writeBack: claim.writeBack } : {}) };
  }
  const { token } = claim;
  let completed = false;
  const complete = async (record: VerdictRecord): Promise<void> => {
    completed = true;
    try {
      const held = await store.markers.complete(
        request.scope,
        request.key,
        token,
        record.verdict.verdict_id,
        writeBackFor?.(record),
      );
      if (!held)
        telemetry?.warn('marker lock lapsed before completion', { verdict_id: record.verdict.verdict_id });
    } catch (error) {
      telemetry?.storeWriteFailed('marker');
      telemetry?.warn('marker completion failed', { error: errorName(error) });
    }
  };
  try {
    const record = await work(complete);
    if (!completed) await complete(record); // work that does not pass `alongside` on still completes the marker
    return { replayed: false, record };
  } catch (error) {
    await store.markers.release(request.scope, request.key, token).catch(() => undefined);
    throw error;
  }
};
