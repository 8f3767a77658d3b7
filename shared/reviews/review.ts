/**
 * Reviews (docs/reviews.md): an operator approves or rejects a verdict. The review replaces any earlier one; with
 * `add_to_list` the verdict's email and phone become runtime entries (from the stored hashes: the raw values were
 * never kept). A review is a label too (docs/outcomes.md): it moves the verdict's quality counter unless an outcome
 * label decides it. What a review does at the provider (a block, its undoing, a Stripe customer's metadata) follows
 * from the change, off the request's path (docs/enforcement.md).
 */

import type { Review, Verdict } from '../core/verdict.js';
import type { ListAction, ListKind, ReviewOutcome } from '../core/vocabulary.js';
import { createListEntry } from '../lists/entries.js';
import type { Telemetry } from '../observability/telemetry.js';
import { moveQualityCount } from '../outcomes/label.js';
import type { Store, StoredVerdict } from '../store/ports.js';

export interface ReviewRequest {
  outcome: ReviewOutcome;
  note: string | null;
  addToList: boolean;
  reviewer: string;
}

export interface ReviewDeps {
  store: Pick<Store, 'verdicts' | 'lists' | 'counters'>;
  telemetry: Telemetry;
  now: () => number;
  /** How long the quality counters of the verdict's hour are kept (`retention_days`). */
  retentionDays: number;
}

/** The runtime entries `add_to_list` creates: one per stored identifier hash. */
const listTargets = (stored: StoredVerdict): Array<{ kind: ListKind; valueKey: string; masked: string }> => {
  const targets: Array<{ kind: ListKind; valueKey: string; masked: string }> = [];
  if (stored.emailHash && stored.verdict.email) {
    targets.push({ kind: 'email', valueKey: stored.emailHash, masked: stored.verdict.email.masked });
  }
  if (stored.phoneHash && stored.verdict.phone) {
    targets.push({ kind: 'phone', valueKey: stored.phoneHash, masked: stored.verdict.phone.masked });
  }
  return targets;
};

/** Reviews a verdict; null when no such verdict. */
export const reviewVerdict = async (
  deps: ReviewDeps,
  verdictId: string,
  request: ReviewRequest,
): Promise<Verdict | null> => {
  const nowMs = deps.now();
  const review: Review = {
    outcome: request.outcome,
    note: request.note,
    reviewed_at: new Date(nowMs).toISOString(),
    reviewed_by: request.reviewer,
  };
  const stored = await deps.store.verdicts.review(verdictId, review);
  if (stored === null) return null;
  await moveQualityCount(deps, stored);
  if (request.addToList) {
    const action: ListAction = request.outcome === 'approve' ? 'allow' : 'block';
    await Promise.all(
      listTargets(stored).map(({ kind, valueKey, masked }) =>
        createListEntry(
          deps.store.lists,
          { valueKey, masked },
          {
            kind,
            action,
            note: `from the review of verdict ${verdictId}${request.note ? `: ${request.note}` : ''}`.slice(
              0,
              500,
            ),
            expiresAt: null,
            createdBy: request.reviewer,
          },
          nowMs,
        ),
      ),
    );
  }
  deps.telemetry.info('verdict reviewed', {
    verdict_id: verdictId,
    outcome: request.outcome,
    add_to_list: request.addToList,
  });
  return stored.verdict;
};
