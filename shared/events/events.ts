/**
 * Verdict events (docs/events.md): `Verdict Created` for a new verdict whose decision is published, `Verdict Reviewed`
 * for every review, `Verdict Labelled` for every new outcome label, `Verdict Enforced` for every enforcement that
 * ended (done, failed, undone), `Verdict Rescreened` for every re-screen that ended (done or given up,
 * docs/rescreen.md). One pure function decides them from a verdict's old and new state, so the local change feed and
 * the DynamoDB stream consumer in AWS emit exactly the same events.
 */
import type { Decision } from '../core/levels.js';
import type { Verdict } from '../core/verdict.js';
import { sameOutcome } from '../outcomes/labels.js';

export const EVENT_SOURCE = 'signup-gate';
export type EventDetailType =
  | 'Verdict Created'
  | 'Verdict Reviewed'
  | 'Verdict Labelled'
  | 'Verdict Enforced'
  | 'Verdict Rescreened';

/** An event as published: EventBridge's envelope fields, the verdict (masked, no raw PII) as the detail. */
export interface VerdictEvent {
  /**
   * Stable per change (`<verdict_id>:created`, `<verdict_id>:reviewed:<reviewed_at>`,
   * `<verdict_id>:labelled:<labelled_at>`, `<verdict_id>:enforced:<action>:<status>:<at>`,
   * `<verdict_id>:rescreened`): consumers can deduplicate.
   */
  id: string;
  time: string;
  'detail-type': EventDetailType;
  source: typeof EVENT_SOURCE;
  detail: Verdict;
}

/** The events one change of a verdict makes: `before` is null for a new verdict. */
export const eventsFor = (
  before: Verdict | null,
  after: Verdict,
  publish: readonly Decision[],
): VerdictEvent[] => {
  const events: VerdictEvent[] = [];
  if (before === null && publish.includes(after.decision)) {
    events.push({
      id: `${after.verdict_id}:created`,
      time: after.created_at,
      'detail-type': 'Verdict Created',
      source: EVENT_SOURCE,
      detail: after,
    });
  }
  const review = after.review;
  if (review && JSON.stringify(review) !== JSON.stringify(before?.review ?? null)) {
    events.push({
      id: `${after.verdict_id}:reviewed:${review.reviewed_at}`,
      time: review.reviewed_at,
      'detail-type': 'Verdict Reviewed',
      source: EVENT_SOURCE,
      detail: after,
    });
  }
  const outcome = after.outcome;
  if (outcome && !sameOutcome(before?.outcome ?? null, outcome)) {
    events.push({
      id: `${after.verdict_id}:labelled:${outcome.labelled_at}`,
      time: outcome.labelled_at,
      'detail-type': 'Verdict Labelled',
      source: EVENT_SOURCE,
      detail: after,
    });
  }
  // An enforcement in progress is no news; its end is, once (a change that leaves it as it was makes none).
  const enforcement = after.enforcement;
  if (
    enforcement &&
    enforcement.status !== 'pending' &&
    JSON.stringify(enforcement) !== JSON.stringify(before?.enforcement ?? null)
  ) {
    events.push({
      id: `${after.verdict_id}:enforced:${enforcement.action}:${enforcement.status}:${enforcement.at}`,
      time: enforcement.at,
      'detail-type': 'Verdict Enforced',
      source: EVENT_SOURCE,
      detail: after,
    });
  }
  const rescreen = after.rescreen;
  if (
    before?.rescreen?.status === 'pending' &&
    (rescreen?.status === 'done' || rescreen?.status === 'gave_up')
  ) {
    events.push({
      id: `${after.verdict_id}:rescreened`,
      time: after.rescreened_at ?? after.created_at,
      'detail-type': 'Verdict Rescreened',
      source: EVENT_SOURCE,
      detail: after,
    });
  }
  return events;
};
