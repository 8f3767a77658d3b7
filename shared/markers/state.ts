/**
 * The run-once marker's state machine, for every store adapter: claimed `in_progress` under a lock token until the
 * lock lapses, then `done` with its verdict (and the write-back state); a new claim takes over only an expired marker
 * or an in-progress one whose lock lapsed.
 */
import { isExpiredAt } from '../core/time.js';
import type { ClaimRequest, MarkerClaim, WriteBackState } from '../store/ports.js';

export const WRITE_BACK_STATES = ['none', 'pending', 'done'] as const satisfies readonly WriteBackState[];

export const isWriteBackState = (value: unknown): value is WriteBackState =>
  typeof value === 'string' && (WRITE_BACK_STATES as readonly string[]).includes(value);

/** A stored marker's fields. */
export interface MarkerRecord {
  state: 'in_progress' | 'done';
  bodyHash: string;
  /** Epoch ms until which the in-progress lock holds. */
  lockUntil: number;
  /** Proves who holds the lock; only its holder completes or releases the marker. */
  lockToken: string | undefined;
  /** Epoch seconds after which the marker may be deleted. */
  expiresAt: number | undefined;
  verdictId: string | undefined;
  writeBack: WriteBackState | undefined;
}

/** An in-progress marker held by `token`, locked until `nowMs + lockMs`, reserving `verdictId`. */
export const claimedMarker = (
  request: ClaimRequest,
  nowMs: number,
  token: string,
  verdictId = request.verdictId,
): MarkerRecord => ({
  state: 'in_progress',
  bodyHash: request.bodyHash,
  lockUntil: nowMs + request.lockMs,
  lockToken: token,
  expiresAt: request.expiresAt,
  verdictId,
  writeBack: undefined,
});

/**
 * Whether a new claim may take this marker over: expired, in progress with a lapsed lock, or done with the verdict
 * the claim says is missing (`reopen`).
 */
export const isMarkerClaimable = (marker: MarkerRecord, nowMs: number, reopen?: string): boolean =>
  isExpiredAt(marker.expiresAt, nowMs) ||
  (marker.state === 'in_progress' && marker.lockUntil < nowMs) ||
  (reopen !== undefined && marker.state === 'done' && marker.verdictId === reopen);

/**
 * The verdict id a claim taking over `marker` keeps: the one a lapsed (or reopened) claim reserved, since its verdict
 * may already be stored; none for an expired marker (another request long ago) or one that reserved nothing.
 */
export const keptVerdictId = (marker: MarkerRecord | undefined, nowMs: number): string | undefined =>
  marker === undefined || isExpiredAt(marker.expiresAt, nowMs) ? undefined : marker.verdictId;

/** What a losing claim reports about the marker that beat it. */
export const claimOf = (marker: MarkerRecord): MarkerClaim => {
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
