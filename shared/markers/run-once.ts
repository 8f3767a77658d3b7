/**
 * Run-once over the store's markers (Idempotency-Key, event ids, webhook ids): claim the key, run the work once, and
 * complete the marker in the same round trip as the work's verdict write. A repeat gets the stored verdict; a
 * concurrent repeat InProgressError; the same key with another body IdempotencyKeyReusedError. Exactly one verdict
 * per key under any single failed write (docs/api.md, idempotency).
 */
import { errorName } from '../core/errors.js';
import type { Verdict, VerdictRecord } from '../core/verdict.js';
import type { KeyedHasher } from '../core/vocabulary.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { ResolvedPolicy } from '../policy/schema.js';
import type { MarkerClaim, MarkerScope, Store, WriteBackState } from '../store/ports.js';
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
  /** A fresh verdict id for this key's verdict, reserved by the claim (a resumed claim keeps the earlier one). */
  verdictId: string;
}

export type RunOnceResult =
  | { replayed: false; record: VerdictRecord }
  | { replayed: true; verdict: Verdict; writeBack?: WriteBackState };

/**
 * A screening run under a marker: it makes `alongside` (the marker's completion) in the same round trip as its verdict
 * write, and gives its verdict the id the claim reserved.
 */
export type MarkedWork = (
  alongside: (record: VerdictRecord) => Promise<void>,
  verdictId: string,
) => Promise<VerdictRecord>;

export const LOCK_MARGIN_MS = 5_000;

/** A body's keyed hash: someone who reads the table cannot confirm a guessed body (an email) offline. */
export const keyedBodyHash = (hash: KeyedHasher, rawBody: string): string => hash('request_body', rawBody);

/** Epoch seconds until which a marker is kept: as long as the verdicts of the policy. */
export const markerExpiry = (policy: ResolvedPolicy, nowMs: number): number =>
  Math.ceil(nowMs / 1000) + policy.retention_days * 86_400;

type RunOnceStore = Pick<Store, 'markers' | 'verdicts'>;
type WriteBackFor = (record: VerdictRecord) => WriteBackState | undefined;
type Claimed = Extract<MarkerClaim, { state: 'claimed' }>;

/**
 * Claims the key's marker. A done marker whose verdict cannot be read (its write was lost) is claimed again under
 * the same verdict id (`reopen`), so the key runs again instead of answering 409 until the marker expires.
 */
const claimKey = async (
  store: RunOnceStore,
  request: RunOnceRequest,
): Promise<Claimed | { replay: Verdict; writeBack?: WriteBackState }> => {
  const claim = {
    scope: request.scope,
    key: request.key,
    bodyHash: request.bodyHash,
    lockMs: request.budgetMs + LOCK_MARGIN_MS,
    expiresAt: request.expiresAt,
    verdictId: request.verdictId,
  };
  let found = await store.markers.claim(claim);
  for (let reopened = false; found.state !== 'claimed'; reopened = true) {
    if (found.bodyHash !== request.bodyHash) {
      throw new IdempotencyKeyReusedError('this Idempotency-Key was used with a different body');
    }
    if (found.state === 'in_progress' || reopened) {
      throw new InProgressError('the same request is being processed; retry shortly');
    }
    const verdict = await store.verdicts.get(found.verdictId);
    if (verdict) return { replay: verdict, ...(found.writeBack ? { writeBack: found.writeBack } : {}) };
    found = await store.markers.claim({ ...claim, reopen: found.verdictId });
  }
  return found;
};

/**
 * Claims the marker, runs `work` once, and records its verdict: the marker is completed in the same round trip as
 * the verdict write (retried once on failure, off the common path). A claim that took over a lapsed one first looks
 * for the verdict that claim may have stored, under the id it reserved: found, it is the answer, so a key never gets
 * two verdicts. When `work` throws before its verdict write, the marker is released; after it (the write may have
 * landed), the marker lapses at once, keeping its verdict id for the next delivery to resume under.
 */
export const runOnce = async (
  store: RunOnceStore,
  request: RunOnceRequest,
  work: MarkedWork,
  /** The write-back state to record with the done marker (same write, so a crash cannot lose it). */
  writeBackFor?: WriteBackFor,
  telemetry?: Telemetry,
): Promise<RunOnceResult> => {
  const claimed = await claimKey(store, request);
  if ('replay' in claimed) {
    return {
      replayed: true,
      verdict: claimed.replay,
      ...(claimed.writeBack ? { writeBack: claimed.writeBack } : {}),
    };
  }
  const { token, verdictId } = claimed;
  const completeWith = async (
    record: VerdictRecord,
    writeBack: WriteBackState | undefined,
  ): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const held = await store.markers.complete(request.scope, request.key, token, verdictId, writeBack);
        if (!held)
          telemetry?.warn('marker lock lapsed before completion', { verdict_id: record.verdict.verdict_id });
        return;
      } catch (error) {
        telemetry?.storeWriteFailed('marker');
        telemetry?.warn('marker completion failed', { error: errorName(error), attempt });
        if (attempt >= 2) return; // left in progress: its lock lapses and the next delivery resumes it
      }
    }
  };

  if (claimed.resumed) {
    const stored = await store.verdicts.getStored(verdictId);
    if (stored) {
      telemetry?.info('resumed a lapsed run: its verdict was stored', { verdict_id: verdictId });
      const writeBack = writeBackFor?.({ ...stored, expiresAt: request.expiresAt });
      await completeWith({ ...stored, expiresAt: request.expiresAt }, writeBack);
      return { replayed: true, verdict: stored.verdict, ...(writeBack ? { writeBack } : {}) };
    }
  }

  let completing: Promise<void> | undefined;
  const complete = (record: VerdictRecord): Promise<void> => {
    completing ??= completeWith(record, writeBackFor?.(record));
    return completing;
  };
  try {
    const record = await work(complete, verdictId);
    await complete(record); // work that does not pass `alongside` on still completes the marker
    return { replayed: false, record };
  } catch (error) {
    if (completing === undefined) {
      await store.markers.release(request.scope, request.key, token).catch(() => undefined);
    } else {
      // The verdict write was attempted beside the completion: wait for the completion, then make the marker
      // claimable again under the same verdict id (never deleted: the verdict may have been stored).
      await completing;
      await store.markers.lapse(request.scope, request.key, token).catch(() => undefined);
    }
    throw error;
  }
};
