/**
 * What a verdict is known to have been (docs/outcomes.md), for every adapter and use case: its effective label (an
 * outcome's, else its review's: approve = legit, reject = fraud) and when a new outcome changes nothing.
 */
import type { Outcome, Verdict } from '../core/verdict.js';
import type { OutcomeLabel } from '../core/vocabulary.js';

/** The label a verdict counts under: its outcome's, else its review's, else none. */
export const effectiveLabel = (verdict: Pick<Verdict, 'outcome' | 'review'>): OutcomeLabel | null => {
  if (verdict.outcome) return verdict.outcome.label;
  if (verdict.review) return verdict.review.outcome === 'approve' ? 'legit' : 'fraud';
  return null;
};

/** The parts of an outcome that say something; `labelled_at` only says when. */
export const outcomeKey = (outcome: Outcome): string =>
  JSON.stringify([outcome.label, outcome.source, outcome.note, outcome.labelled_by]);

/** Whether `next` would only restate `current` (same label, source, note and author): then it is not written. */
export const sameOutcome = (current: Outcome | null, next: Outcome): boolean =>
  current !== null && outcomeKey(current) === outcomeKey(next);
