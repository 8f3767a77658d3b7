/** One verdict in full: decision, reasons, each identifier's Defastra result and checks, the review, the ids. */
import type { ComponentChildren } from 'preact';
import type { IdentifierOutcome, Verdict } from '../api/types.js';
import { formatFullDateTime, reasonLabel } from '../format.js';
import { Age, DecisionBadge, DegradedTag, LevelBadge, SourceTag } from './badges.js';

const IdentifierCard = ({ label, outcome }: { label: string; outcome: IdentifierOutcome | null }) => {
  if (!outcome) {
    return (
      <section class="ident ident-absent" aria-label={label}>
        <h3 class="ident-title">{label}</h3>
        <p class="muted">Not given</p>
      </section>
    );
  }
  const checks = outcome.checks ?? [];
  return (
    <section class="ident" aria-label={`${label} ${outcome.masked}`}>
      <h3 class="ident-title">
        {label} <span class="masked">{outcome.masked}</span>
      </h3>
      <p class="ident-facts">
        {outcome.risk_level && <LevelBadge level={outcome.risk_level} score={outcome.risk_score} />}
        {outcome.cached && <span class="tag">cached result</span>}
        {outcome.listed && (
          <span class="tag">{outcome.listed === 'allow' ? 'on the allow list' : 'on the block list'}</span>
        )}
        {outcome.invalid && <span class="tag tag-warn">invalid, not checked</span>}
      </p>
      {outcome.error && (
        <p class="callout callout-warn">
          <strong>Defastra error {outcome.error.type}</strong>: {outcome.error.message}
        </p>
      )}
      {checks.length > 0 && (
        <table class="checks">
          <caption class="sr-only">{label} checks</caption>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Result</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {checks.map((check) => (
              <tr key={check.code}>
                <td class="mono">{check.code}</td>
                <td>
                  <span class={`result result-${check.result_type}`}>{check.result_type}</span>
                </td>
                <td>{check.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {outcome.request_id && <p class="small muted">Defastra request {outcome.request_id}</p>}
    </section>
  );
};

const ReviewRecord = ({ verdict }: { verdict: Verdict }) => {
  const review = verdict.review;
  if (!review) return <p class="muted">Not reviewed yet.</p>;
  return (
    <p class={`review-record ${review.outcome === 'approve' ? 'review-approve' : 'review-reject'}`}>
      <strong>{review.outcome === 'approve' ? 'Approved' : 'Rejected'}</strong> by {review.reviewed_by}{' '}
      <Age iso={review.reviewed_at} />
      {review.note ? <span class="review-note">“{review.note}”</span> : null}
    </p>
  );
};

/** `children` (a review form) sits after the evidence, where the analyst has read everything. */
export const VerdictDetail = ({ verdict, children }: { verdict: Verdict; children?: ComponentChildren }) => {
  const title = verdict.email?.masked ?? verdict.phone?.masked ?? 'No identifiers';
  return (
    <article class="detail" aria-labelledby={`detail-${verdict.verdict_id}`}>
      <header class="detail-head">
        <p class="detail-tags">
          <DecisionBadge decision={verdict.decision} />
          {verdict.degraded && <DegradedTag />}
          <SourceTag source={verdict.source} />
        </p>
        <h2 id={`detail-${verdict.verdict_id}`} class="detail-title masked">
          {title}
        </h2>
        <p class="muted">
          Screened <Age iso={verdict.created_at} /> · {formatFullDateTime(verdict.created_at)}
        </p>
      </header>
      {verdict.degraded && (
        <p class="callout callout-warn">
          Degraded: Defastra could not judge part of this signup, so the policy's <code>on_error</code>{' '}
          setting decided it. Look closer before approving.
        </p>
      )}
      <section class="detail-section">
        <h3>Reasons</h3>
        {verdict.reasons.length === 0 ? (
          <p class="muted">None: a plain allow.</p>
        ) : (
          <ul class="reasons">
            {verdict.reasons.map((reason) => (
              <li key={`${reason.code}:${reason.message}`}>
                <span class="reason-code">{reasonLabel(reason.code)}</span> {reason.message}
              </li>
            ))}
          </ul>
        )}
      </section>
      <div class="idents">
        <IdentifierCard label="Email" outcome={verdict.email} />
        <IdentifierCard label="Phone" outcome={verdict.phone} />
      </div>
      <section class="detail-section">
        <h3>Review</h3>
        <ReviewRecord verdict={verdict} />
        {children}
      </section>
      <section class="detail-section">
        <h3>Identifiers</h3>
        <dl class="facts">
          <dt>Verdict</dt>
          <dd class="mono">{verdict.verdict_id}</dd>
          <dt>Source reference</dt>
          <dd class="mono">{verdict.source_ref ?? '—'}</dd>
          <dt>Subject</dt>
          <dd class="mono">{verdict.subject_ref ?? '—'}</dd>
          <dt>Policy version</dt>
          <dd class="mono">{verdict.policy_version}</dd>
        </dl>
      </section>
    </article>
  );
};
