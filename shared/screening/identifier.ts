/** One identifier on its way through a screening: normalised, masked, hashed, and how it ended up. */
import type { DefastraError } from '../defastra/errors.js';
import type { CheckKind, CheckResult } from '../defastra/types.js';
import type { IdentifierInput } from '../policy/decide.js';
import { maskEmail, maskPhone, normaliseEmail, normalisePhone } from '../policy/identifiers.js';
import type { ListName } from '../policy/lists.js';
import type { ResolvedPolicy } from '../policy/schema.js';
import type { CachedResult } from '../store/port.js';
import type { IdentifierHasher } from './hashing.js';
import { redactChecks } from './redact.js';
import type { IdentifierOutcome } from './verdict.js';

export interface PreparedIdentifier {
  kind: CheckKind;
  raw: string;
  /** Null when the value is not a valid email or phone number. */
  normalised: string | null;
  masked: string;
  hash: string | null;
}

/** What looking an identifier up gave: a result (cached or fresh) or a Defastra failure. */
export type Lookup = { result: CachedResult; cached: boolean } | { error: DefastraError };

/** Normalises, masks and hashes a raw value; null when absent. */
export const prepareIdentifier = (
  kind: CheckKind,
  raw: string | null | undefined,
  policy: ResolvedPolicy,
  hash: IdentifierHasher,
): PreparedIdentifier | null => {
  if (raw === null || raw === undefined) return null;
  const normalised =
    kind === 'email' ? normaliseEmail(raw) : normalisePhone(raw, policy.default_country_code);
  const mask = kind === 'email' ? maskEmail : maskPhone;
  return {
    kind,
    raw,
    normalised,
    masked: normalised ? mask(normalised) : `invalid ${kind}`,
    hash: normalised ? hash(kind, normalised) : null,
  };
};

/** Keeps what a verdict shows of a Defastra result, with the raw identifier scrubbed from check details. */
export const toCachedResult = (
  result: CheckResult,
  id: PreparedIdentifier,
  checkedAt: number,
): CachedResult => {
  const secrets = [{ raw: id.raw.trim(), masked: id.masked }];
  if (id.normalised) secrets.push({ raw: id.normalised, masked: id.masked });
  if (id.kind === 'phone' && id.normalised && id.normalised.length > 9) {
    secrets.push({ raw: id.normalised.slice(-9), masked: id.masked }); // the national part, as carriers write it
  }
  return {
    riskLevel: result.riskLevel,
    riskScore: result.riskScore,
    requestId: result.requestId,
    checks: redactChecks(result.checks, secrets),
    checkedAt,
  };
};

/** The identifier as the policy sees it. */
export const toDecisionInput = (
  id: PreparedIdentifier | null,
  list: ListName | undefined,
  found: Lookup | null,
): IdentifierInput => {
  if (!id) return { status: 'absent' };
  if (!id.normalised) return { status: 'invalid' };
  if (list) return { status: 'listed', list };
  if (!found) return { status: 'skipped' };
  if ('error' in found) return { status: 'error', errorType: found.error.type };
  return { status: 'result', riskLevel: found.result.riskLevel };
};

/** The identifier as the verdict shows it (design 1.4). */
export const toOutcome = (
  id: PreparedIdentifier | null,
  list: ListName | undefined,
  found: Lookup | null,
): IdentifierOutcome | null => {
  if (!id) return null;
  if (!id.normalised) return { masked: id.masked, invalid: true };
  if (list) return { masked: id.masked, listed: list };
  if (!found) return { masked: id.masked };
  if ('error' in found)
    return { masked: id.masked, error: { type: found.error.type, message: found.error.message } };
  return {
    masked: id.masked,
    risk_level: found.result.riskLevel,
    risk_score: found.result.riskScore,
    request_id: found.result.requestId,
    cached: found.cached,
    checks: found.result.checks,
  };
};
