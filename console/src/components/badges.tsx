/** Small labels that carry a verdict's state at a glance: decision, risk level, review, source. Colour is never the only cue. */

import type { ListAction } from '../../../shared/core/vocabulary.js';
import type { Decision, Review, RiskLevel, Source } from '../api/types.js';
import { DECISION_LABEL, formatAge, formatFullDateTime, SOURCE_LABEL } from '../format.js';

export const DecisionBadge = ({ decision }: { decision: Decision }) => (
  <span class={`badge badge-${decision}`}>{DECISION_LABEL[decision]}</span>
);

export const ActionBadge = ({ action }: { action: ListAction }) => (
  <span class={`badge badge-${action === 'allow' ? 'allow' : 'block'}`}>
    {action === 'allow' ? 'Allow' : 'Block'}
  </span>
);

export const LevelBadge = ({ level, score }: { level: RiskLevel; score?: number | undefined }) => (
  <span class={`level level-${level}`}>
    {level}
    {score === undefined ? '' : ` · ${score}`}
  </span>
);

export const SourceTag = ({ source }: { source: Source }) => (
  <span class="tag">{SOURCE_LABEL[source] ?? source}</span>
);

export const DegradedTag = () => (
  <span class="tag tag-warn" title="Part of this decision came from on_error, not from a Defastra answer">
    degraded
  </span>
);

export const ReviewTag = ({ review }: { review: Review | null | undefined }) => {
  if (!review) return <span class="muted">—</span>;
  return (
    <span class={`tag ${review.outcome === 'approve' ? 'tag-ok' : 'tag-bad'}`}>
      {review.outcome === 'approve' ? 'Approved' : 'Rejected'}
    </span>
  );
};

/** A time as "4 min ago", with the full date on hover and for assistive technology. */
export const Age = ({ iso }: { iso: string }) => (
  <time dateTime={iso} title={formatFullDateTime(iso)}>
    {formatAge(iso)}
  </time>
);
