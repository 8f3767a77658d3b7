/**
 * Outcome labels (docs/outcomes.md): one verdict by id, or every stored verdict of an email, a phone or a reference
 * (found through their keyed hashes, never a scan). A label replaces an earlier one; the same label again changes
 * nothing. Each change moves the verdict's quality counter (shared/stats/quality.ts) in the same request.
 */
import { errorName, InvalidInputError } from '../core/errors.js';
import type { Outcome, Verdict } from '../core/verdict.js';
import type { KeyedHasher, OutcomeLabel, OutcomeSource, RefKind } from '../core/vocabulary.js';
import type { Telemetry } from '../observability/telemetry.js';
import { normaliseEmail, normalisePhone } from '../policy/identifiers.js';
import { qualityIncrement } from '../stats/quality.js';
import type { Store, UpdatedVerdict, VerdictMatch } from '../store/ports.js';
import { sameOutcome } from './labels.js';

export interface LabelDeps {
  store: Pick<Store, 'verdicts' | 'counters'>;
  telemetry: Telemetry;
  now: () => number;
  /** How long the quality counters of the verdict's hour are kept (`retention_days`). */
  retentionDays: number;
}

export interface LabelRequest {
  label: OutcomeLabel;
  source: OutcomeSource;
  note: string | null;
  /** The IAM principal ARN in AWS, `local` locally, or the provider that reported it. */
  labelledBy: string;
}

/** Verdicts labelled at once, at most (each is one conditional update, then one counter update when it changed). */
const CONCURRENCY = 8;

/** What `POST /outcomes` names verdicts by, as given. */
export interface LabelTargets {
  email?: string | undefined;
  phone?: string | undefined;
  subjectRef?: string | undefined;
  sourceRef?: string | undefined;
}

/** The keyed hashes to look the targets up by: email and phone normalised as at screening, references as given. */
export const matchesOf = (
  targets: LabelTargets,
  hash: KeyedHasher,
  defaultCountryCode: string | null,
): VerdictMatch[] => {
  const matches: VerdictMatch[] = [];
  if (targets.email !== undefined) {
    const email = normaliseEmail(targets.email);
    if (!email) throw new InvalidInputError('body field "email"', 'not a valid email address');
    matches.push({ kind: 'email', hash: hash('email', email) });
  }
  if (targets.phone !== undefined) {
    const phone = normalisePhone(targets.phone, defaultCountryCode);
    if (!phone) throw new InvalidInputError('body field "phone"', 'not a valid phone number');
    matches.push({ kind: 'phone', hash: hash('phone', phone) });
  }
  const refs: Array<[RefKind, string | undefined]> = [
    ['subject_ref', targets.subjectRef],
    ['source_ref', targets.sourceRef],
  ];
  for (const [kind, ref] of refs) if (ref !== undefined) matches.push({ kind, hash: hash(kind, ref) });
  return matches;
};

const outcomeOf = (request: LabelRequest, nowMs: number): Outcome => ({
  label: request.label,
  source: request.source,
  note: request.note,
  labelled_at: new Date(nowMs).toISOString(),
  labelled_by: request.labelledBy,
});

/**
 * Moves the verdict's quality counter when an update changed its effective label (a label, a review); a failure is
 * logged and counted, never thrown: the update itself is done.
 */
export const moveQualityCount = async (
  deps: Pick<LabelDeps, 'store' | 'telemetry' | 'retentionDays'>,
  updated: UpdatedVerdict,
): Promise<void> => {
  const increment = qualityIncrement(updated.before, updated.verdict, deps.retentionDays);
  if (increment === null) return;
  try {
    await deps.store.counters.record(increment);
  } catch (error) {
    deps.telemetry.storeWriteFailed('stats');
    deps.telemetry.warn('quality counter not moved', {
      verdict_id: updated.verdict.verdict_id,
      error: errorName(error),
    });
  }
};

/** Labels one stored verdict; the verdict as it now is, or null when there is no such verdict. */
const labelOne = async (deps: LabelDeps, verdictId: string, outcome: Outcome): Promise<Verdict | null> => {
  const updated = await deps.store.verdicts.label(verdictId, outcome);
  if (updated === null) return null;
  if (!sameOutcome(updated.before.outcome, outcome)) await moveQualityCount(deps, updated);
  return updated.verdict;
};

/** `POST /verdicts/{id}/outcome`: labels one verdict; null when there is no such verdict. */
export const labelVerdict = async (
  deps: LabelDeps,
  verdictId: string,
  request: LabelRequest,
): Promise<Verdict | null> => {
  const verdict = await labelOne(deps, verdictId, outcomeOf(request, deps.now()));
  if (verdict)
    deps.telemetry.info('verdict labelled', {
      verdict_id: verdictId,
      label: request.label,
      source: request.source,
    });
  return verdict;
};

/**
 * `POST /outcomes` and the Stripe events: labels every live verdict stored under any of `matches` (each once, however
 * many of them it matches); returns how many now carry the label.
 */
export const labelMatching = async (
  deps: LabelDeps,
  matches: readonly VerdictMatch[],
  request: LabelRequest,
): Promise<number> => {
  const found = await Promise.all(matches.map((match) => deps.store.verdicts.idsMatching(match)));
  const ids = [...new Set(found.flat())];
  const outcome = outcomeOf(request, deps.now());
  let labelled = 0;
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      if ((await labelOne(deps, id, outcome)) !== null) labelled++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, worker));
  deps.telemetry.info('verdicts labelled', {
    matched: ids.length,
    labelled,
    label: request.label,
    source: request.source,
    by: matches.map((m) => m.kind),
  });
  return labelled;
};
