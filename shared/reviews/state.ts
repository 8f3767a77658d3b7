/** Where a verdict stands in the review queue: from its decision until reviewed, then from the review's outcome alone. */
import type { Decision } from '../core/levels.js';
import type { Review } from '../core/verdict.js';
import type { ReviewFilter, ReviewOutcome } from '../core/vocabulary.js';

/** The review state a verdict is listed under; `none` for an unreviewed allow or block (no queue lists it). */
export type ReviewState = ReviewFilter | 'none';

/** The state of a reviewed verdict: the outcome alone decides it, whatever the decision was. */
export const reviewedState = (outcome: ReviewOutcome): ReviewFilter =>
  outcome === 'approve' ? 'approved' : 'rejected';

/** `pending` for an unreviewed decision `review`, the outcome's state once reviewed, else `none`. */
export const reviewStateOf = (decision: Decision, review: Review | null): ReviewState => {
  if (review) return reviewedState(review.outcome);
  return decision === 'review' ? 'pending' : 'none';
};
