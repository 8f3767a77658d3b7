/** One identifier on its way through a screening: normalised, masked, hashed, and how it ended up. */

import type { IdentifierOutcome } from '../core/verdict.js';
import type { IdentifierKind, KeyedHasher, ListAction } from '../core/vocabulary.js';
import type { DefastraError } from '../defastra/errors.js';
import type { CheckResult } from '../defastra/types.js';
import type { IdentifierInput } from '../policy/decide.js';
import { maskEmail, maskPhone, normaliseEmail, normalisePhone } from '../policy/identifiers.js';
import type { ResolvedPolicy } from '../policy/schema.js';
import type { CachedResult } from '../store/ports.js';
import { redactChecks, redactErrorMessage, redactErrorType } from './redact.js';

export interface PreparedIdentifier {
  kind: IdentifierKind;
  raw: string;
  /** Null when the value is not a valid email or phone number. */
  normalised: string | null;
  masked: string;
  hash: string | null;
}

/** What looking an identifier up gave: a result (cached or fresh), a Defastra failure, or no call (spend cap). */
export type Lookup =
  | { result: CachedResult; cached: boolean }
  | { error: DefastraError }
  | { spendLimited: true };

/** Defastra's answer that the value itself is malformed: the same case as our own invalid value (docs/verdict.md). */
const INVALID_UPSTREAM: Record<IdentifierKind, string> = {
  email: 'INVALID_REQUEST_EMAIL',
  phone: 'INVALID_REQUEST_PHONE',
};

export const isInvalidUpstream = (kind: IdentifierKind, found: Lookup | null): boolean =>
  found !== null && 'error' in found && found.error.type === INVALID_UPSTREAM[kind];

/** Normalises, masks and hashes a raw value; null when absent. */
export const prepareIdentifier = (
  kind: IdentifierKind,
  raw: string | null | undefined,
  policy: ResolvedPolicy,
  hash: KeyedHasher,
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

/** The raw forms of an identifier that text from Defastra may repeat, each with the mask that replaces it. */
const secretsOf = (id: PreparedIdentifier): Array<{ raw: string; masked: string }> => {
  const secrets = [{ raw: id.raw.trim(), masked: id.masked }];
  if (id.normalised) secrets.push({ raw: id.normalised, masked: id.masked });
  if (id.kind === 'phone' && id.normalised && id.normalised.length > 9) {
    secrets.push({ raw: id.normalised.slice(-9), masked: id.masked }); // the national part, as carriers write it
  }
  return secrets;
};

/** Keeps what a verdict shows of a Defastra result, its checks redacted and capped. */
export const toCachedResult = (
  result: CheckResult,
  id: PreparedIdentifier,
  checkedAt: number,
): CachedResult => ({
  riskLevel: result.riskLevel,
  riskScore: result.riskScore,
  requestId: result.requestId.slice(0, 128),
  checks: redactChecks(result.checks, secretsOf(id)),
  checkedAt,
});

/** The identifier as the policy sees it; `skipped` when a list or velocity decided without looking it up. */
export const toDecisionInput = (
  id: PreparedIdentifier | null,
  list: ListAction | undefined,
  found: Lookup | null,
): IdentifierInput => {
  if (!id) return { status: 'absent' };
  if (!id.normalised || isInvalidUpstream(id.kind, found)) return { status: 'invalid' };
  if (list) return { status: 'listed', list };
  if (!found) return { status: 'skipped' };
  if ('spendLimited' in found) return { status: 'spend_limited' };
  if ('error' in found) return { status: 'error', errorType: found.error.type };
  return { status: 'result', riskLevel: found.result.riskLevel };
};

const SPEND_LIMIT_MESSAGE = 'not checked: the hourly Defastra spend cap is reached';

/** The identifier as the verdict shows it (docs/verdict.md). */
export const toOutcome = (
  id: PreparedIdentifier | null,
  list: ListAction | undefined,
  found: Lookup | null,
): IdentifierOutcome | null => {
  if (!id) return null;
  if (!id.normalised || isInvalidUpstream(id.kind, found)) return { masked: id.masked, invalid: true };
  if (list) return { masked: id.masked, listed: list };
  if (!found) return { masked: id.masked };
  if ('spendLimited' in found)
    return { masked: id.masked, error: { type: 'SPEND_LIMIT', message: SPEND_LIMIT_MESSAGE } };
  if ('error' in found) {
    return {
      masked: id.masked,
      error: {
        type: redactErrorType(found.error.type, secretsOf(id)),
        message: redactErrorMessage(found.error.message, secretsOf(id)),
      },
    };
  }
  return {
    masked: id.masked,
    risk_level: found.result.riskLevel,
    risk_score: found.result.riskScore,
    request_id: found.result.requestId,
    cached: found.cached,
    checks: found.result.checks,
  };
};
