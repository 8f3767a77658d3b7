/**
 * A provider's fraud report labels once per event id (docs/outcomes.md), on the same run-once markers as its
 * screenings: the first delivery claims the marker, labels, and completes it with the count; a repeat answers that
 * count without labelling again; a concurrent repeat is told to retry (409); a failure releases the marker, so the
 * provider's redelivery runs again.
 */

import { ulid } from 'ulid';
import type { KeyedHasher } from '../core/vocabulary.js';
import { InProgressError } from '../markers/errors.js';
import { keyedBodyHash, LOCK_MARGIN_MS } from '../markers/run-once.js';
import type { MarkerScope, Store } from '../store/ports.js';

/** What a done label marker holds where a screening's holds its verdict id. */
const LABELLED = 'labelled:';

export interface LabelOnceRequest {
  scope: MarkerScope;
  /** The provider's event id. */
  key: string;
  /** The route's budget; the in-progress lock lasts this plus 5 s. */
  budgetMs: number;
  /** Epoch seconds after which the marker may be deleted. */
  expiresAt: number;
}

export interface LabelOnceResult {
  labelled: number;
  duplicate: boolean;
}

/** Runs `work` (which labels and returns how many) once per key. */
export const labelOnce = async (
  deps: { store: Pick<Store, 'markers'>; hash: KeyedHasher },
  request: LabelOnceRequest,
  work: () => Promise<number>,
): Promise<LabelOnceResult> => {
  const { scope, key } = request;
  const claim = await deps.store.markers.claim({
    scope,
    key,
    bodyHash: keyedBodyHash(deps.hash, `${scope}-event:${key}`),
    lockMs: request.budgetMs + LOCK_MARGIN_MS,
    expiresAt: request.expiresAt,
    // A claim reserves a verdict id (the screening run-once's); a label run makes no verdict, so it goes unused.
    verdictId: ulid(),
  });
  if (claim.state === 'in_progress')
    throw new InProgressError('the same event is being processed; retry shortly');
  if (claim.state === 'done') {
    const count = claim.verdictId.startsWith(LABELLED) ? Number(claim.verdictId.slice(LABELLED.length)) : 0;
    return { labelled: Number.isInteger(count) ? count : 0, duplicate: true };
  }
  let labelled: number;
  try {
    labelled = await work();
  } catch (error) {
    await deps.store.markers.release(scope, key, claim.token).catch(() => undefined);
    throw error;
  }
  await deps.store.markers.complete(scope, key, claim.token, `${LABELLED}${labelled}`);
  return { labelled, duplicate: false };
};
