/** How a verdict reads in a terminal: one table row in lists, a detail view for `get`, `screen` and `review`. */
import { type Cell, clip, decisionText, pc, shortAge, shortTime, table } from '../output.js';
import type { WireIdentifier, WireReview, WireVerdict } from '../wire.js';

/** `high (34)`, `error TIMEOUT`, `listed block`, `invalid`: what happened to one identifier. */
export const identifierOutcome = (id: WireIdentifier): string => {
  if (id.listed) return `listed ${id.listed}`;
  if (id.invalid) return 'invalid';
  if (id.error) return `error ${id.error.type}`;
  if (id.risk_level)
    return `${id.risk_level}${id.risk_score === undefined ? '' : ` (${id.risk_score})`}${id.cached ? ', cached' : ''}`;
  return '';
};

const identifierCell = (id: WireIdentifier | null): Cell =>
  id ? `${id.masked} ${pc.dim(identifierOutcome(id))}` : null;

export const reviewText = (review: WireReview | null | undefined): string | null =>
  review
    ? `${review.outcome === 'approve' ? pc.green('approved') : pc.red('rejected')} by ${review.reviewed_by}`
    : null;

const decisionCell = (v: WireVerdict): string =>
  `${decisionText(v.decision)}${v.degraded ? pc.yellow('*') : ''}`;

/** Widest masked identifier and reasons cell of the compact table: rows stay within ~100 columns. */
const IDENTITY_WIDTH = 19;
const REASONS_WIDTH = 16;

/** `approved`, `rejected`, `pending` (a review decision nobody reviewed yet) or nothing. */
const reviewState = (v: WireVerdict): string | null => {
  if (v.review) return v.review.outcome === 'approve' ? pc.green('approved') : pc.red('rejected');
  return v.decision === 'review' ? pc.yellow('pending') : null;
};

/** The first reason's code, and how many more (`email_risk+1`). */
const reasonsCell = (v: WireVerdict): string | null => {
  const [first, ...more] = v.reasons.map((r) => r.code);
  return first ? clip(`${first}${more.length ? `+${more.length}` : ''}`, REASONS_WIDTH) : null;
};

/**
 * The verdicts as a compact table (fits ~100 columns), newest first as the API gives them: the id to copy,
 * the age, the decision (`*` = degraded), the source, the email (else the phone) masked, the first reason,
 * the review. `verdicts get` shows everything else; `--wide` shows both identifiers with their results.
 */
export const verdictTable = (items: WireVerdict[], nowMs: number = Date.now()): string =>
  table(
    ['VERDICT', 'AGE', 'DECISION', 'SOURCE', 'EMAIL/PHONE', 'REASONS', 'REVIEW'],
    items.map((v) => [
      v.verdict_id,
      shortAge(v.created_at, nowMs),
      decisionCell(v),
      v.source,
      clip(v.email?.masked ?? v.phone?.masked ?? '-', IDENTITY_WIDTH),
      reasonsCell(v),
      reviewState(v),
    ]),
  );

/** Every column (`verdicts list --wide`): both identifiers with their Defastra results, all reasons, who reviewed. */
export const wideVerdictTable = (items: WireVerdict[]): string =>
  table(
    ['VERDICT', 'CREATED', 'SOURCE', 'DECISION', 'EMAIL', 'PHONE', 'REASONS', 'REVIEW'],
    items.map((v) => [
      v.verdict_id,
      shortTime(v.created_at),
      v.source,
      decisionCell(v),
      identifierCell(v.email),
      identifierCell(v.phone),
      v.reasons.map((r) => r.code).join(',') || null,
      reviewText(v.review),
    ]),
  );

/** Label/value blocks with aligned labels; a block's further lines are indented under its first value. */
const blocks = (entries: Array<[string, string[]]>): string => {
  const width = Math.max(...entries.map(([label]) => label.length)) + 2;
  return entries
    .flatMap(([label, lines]) =>
      (lines.length ? lines : ['-']).map(
        (line, i) => `${i === 0 ? pc.dim(label.padEnd(width)) : ' '.repeat(width)}${line}`,
      ),
    )
    .join('\n');
};

const identifierLines = (id: WireIdentifier | null): string[] => {
  if (!id) return ['-'];
  const parts = [id.masked, identifierOutcome(id)];
  if (id.request_id) parts.push(pc.dim(`request ${id.request_id}`));
  const lines = [parts.filter(Boolean).join('  ')];
  if (id.error) lines.push(pc.dim(id.error.message));
  for (const check of id.checks ?? []) {
    const kind = check.result_type ? ` (${check.result_type})` : '';
    lines.push(`${check.code}${kind}${check.detail ? pc.dim(` ${check.detail}`) : ''}`);
  }
  return lines;
};

/** `fraud (manual, by local at 2026-…) - note`: what the verdict turned out to be (docs/outcomes.md). */
const outcomeText = (o: NonNullable<WireVerdict['outcome']>): string =>
  `${o.label === 'fraud' ? pc.red('fraud') : pc.green('legit')} (${o.source}${o.labelled_by ? `, by ${o.labelled_by}` : ''} at ${o.labelled_at})${o.note ? ` - ${o.note}` : ''}`;

/** Every field of one verdict, reasons and checks included; the outcome label when it has one. */
export const verdictDetail = (v: WireVerdict): string => {
  const review = v.review
    ? `${reviewText(v.review)} at ${v.review.reviewed_at}${v.review.note ? ` - ${v.review.note}` : ''}`
    : 'not reviewed';
  const source = `${v.source}${v.source_ref ? ` (ref ${v.source_ref})` : ''}${v.subject_ref ? `, subject ${v.subject_ref}` : ''}`;
  const degraded = v.degraded ? pc.yellow(' (degraded: part of it came from on_error)') : '';
  return blocks([
    ['verdict', [v.verdict_id]],
    ['created', [v.created_at]],
    ['source', [source]],
    ['decision', [`${decisionText(v.decision)}${degraded}`]],
    ['policy', [v.policy_version]],
    ['review', [review]],
    ...(v.outcome ? ([['outcome', [outcomeText(v.outcome)]]] as Array<[string, string[]]>) : []),
    ['reasons', v.reasons.length ? v.reasons.map((r) => `${r.code}  ${pc.dim(r.message)}`) : ['none']],
    ['email', identifierLines(v.email)],
    ['phone', identifierLines(v.phone)],
  ]);
};
