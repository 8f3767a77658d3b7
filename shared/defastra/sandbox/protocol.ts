/** The sandbox's Defastra protocol: checks in Defastra's order, then a success body with a wallet debit. */
import { randomBytes } from 'node:crypto';
import { TIMEOUT_MODES } from '../../core/levels.js';
import type { IdentifierKind } from '../../core/vocabulary.js';
import type { DefastraErrorType } from '../errors.js';
import type { SandboxFaults } from './faults.js';
import { emailProduct, phoneProduct } from './fixtures.js';
import { emailOutcome, type Outcome, phoneOutcome, SANDBOX_KEYS } from './identities.js';
import type { RateWindows } from './rate.js';

/** Error message per type, in our own words. */
export const ERROR_MESSAGES: Readonly<Record<DefastraErrorType, string>> = {
  INSUFFICIENT_FUNDS: 'Your wallet balance is too low for this request.',
  INVALID_REQUEST_TYPE: 'This path does not match any product.',
  INVALID_API_KEY: 'This API key is invalid.',
  NO_KEY: 'The X-API-KEY header is missing.',
  INACTIVE_API_KEY: 'This API key has been deactivated.',
  INACTIVE_API_ACCESS: 'API access is switched off for this account.',
  SYSTEM_ERROR: 'An internal error occurred; our team has been notified.',
  UNHANDLED_EXCEPTION: 'An unexpected exception occurred; our team has been notified.',
  SYSTEM_UNAVAILABLE: 'The system is temporarily unavailable.',
  RATE_LIMITED_5_SECONDS: 'You have performed too many requests in 5 seconds.',
  RATE_LIMITED_1_MINUTE: 'You have performed too many requests in 1 minute.',
  INVALID_REQUEST_TIMEOUT: 'The timeout parameter must be minimal, normal or extensive.',
  INVALID_REQUEST_PHONE: 'The phone number is not a valid international number.',
  INVALID_REQUEST_EMAIL: 'The email address is not valid.',
  INVALID_PARAMETER: 'The request parameters are not the ones this endpoint expects.',
  INVALID_LABEL: 'The label must be at most 30 characters.',
  INACTIVE_TEAM_USER: 'Your team account is not active.',
};

const INACTIVE_KEYS: Readonly<Record<string, DefastraErrorType>> = {
  [SANDBOX_KEYS.inactiveKey]: 'INACTIVE_API_KEY',
  [SANDBOX_KEYS.inactiveAccess]: 'INACTIVE_API_ACCESS',
  [SANDBOX_KEYS.inactiveTeamUser]: 'INACTIVE_TEAM_USER',
};

const ENDPOINTS: Readonly<Record<string, IdentifierKind>> = {
  '/deep_email_check': 'email',
  '/deep_phone_check': 'phone',
};

/** Which product a path names, if any (the query string is ignored). */
export const endpointOf = (url: string): IdentifierKind | undefined => ENDPOINTS[url.split('?')[0] ?? ''];

/** One incoming request, as the protocol needs it. */
export interface SandboxCall {
  method: string;
  url: string;
  apiKey: string | undefined;
  contentType: string | undefined;
  body: string;
}

export interface SandboxAnswer {
  status: number;
  body: Record<string, unknown>;
  /** The error type, or undefined for a success. */
  errorType?: DefastraErrorType;
}

/** The running state the protocol reads and changes. */
export interface SandboxAccount {
  /** Keys that work (besides the special keys of SANDBOX_KEYS). */
  keys: ReadonlySet<string>;
  rate: RateWindows;
  /** Current wallet balance, debited on success. */
  balance: number;
}

export const errorAnswer = (errorType: DefastraErrorType, message?: string): SandboxAnswer => ({
  status: 400,
  errorType,
  body: { status: false, error_type: errorType, error_message: message ?? ERROR_MESSAGES[errorType] },
});

/** The same successful answer with every check's `detail` replaced (a fault for tests). */
export const withCheckDetail = (answer: SandboxAnswer, detail: string): SandboxAnswer => {
  if (answer.errorType !== undefined) return answer;
  const body = structuredClone(answer.body) as Record<string, unknown>;
  for (const product of ['deep_email_check', 'deep_phone_check']) {
    const checks = (body[product] as { checks?: Record<string, { detail?: string }> } | undefined)?.checks;
    for (const check of Object.values(checks ?? {})) check.detail = detail;
  }
  return { ...answer, body };
};

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
const PHONE = /^[1-9]\d{7,14}$/;
const MAX_LABEL = 30;

/** Parses the form body and applies the parameter checks; returns the identifier or an error. */
const readParams = (
  kind: IdentifierKind,
  call: SandboxCall,
): { value: string } | { error: DefastraErrorType } => {
  const mediaType = (call.contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/x-www-form-urlencoded') return { error: 'INVALID_PARAMETER' };
  const params = new URLSearchParams(call.body);
  const allowed = [kind, 'timeout', 'label'];
  const names = [...params.keys()];
  if (names.some((name) => !allowed.includes(name)) || new Set(names).size !== names.length) {
    return { error: 'INVALID_PARAMETER' };
  }
  const value = params.get(kind);
  if (value === null) return { error: 'INVALID_PARAMETER' };
  const timeout = params.get('timeout');
  if (timeout !== null && !(TIMEOUT_MODES as readonly string[]).includes(timeout)) {
    return { error: 'INVALID_REQUEST_TIMEOUT' };
  }
  const label = params.get('label');
  if (label !== null && [...label].length > MAX_LABEL) return { error: 'INVALID_LABEL' };
  if (kind === 'email' && (value.length > 254 || !EMAIL.test(value)))
    return { error: 'INVALID_REQUEST_EMAIL' };
  if (kind === 'phone' && !PHONE.test(value)) return { error: 'INVALID_REQUEST_PHONE' };
  return { value };
};

const requestId = (): string => randomBytes(16).toString('hex').toUpperCase();

const roundMoney = (amount: number): number => Math.round(amount * 10_000) / 10_000;

/**
 * Answers one request: INVALID_REQUEST_TYPE → NO_KEY → INVALID_API_KEY → inactive key / access /
 * team user → rate windows → INVALID_PARAMETER → timeout → label → email / phone format →
 * identity errors → INSUFFICIENT_FUNDS → success (debits the wallet).
 */
export const answerCall = (
  call: SandboxCall,
  account: SandboxAccount,
  faults: Readonly<SandboxFaults>,
  now: number,
): SandboxAnswer => {
  const kind = endpointOf(call.url);
  if (kind === undefined || call.method !== 'POST') return errorAnswer('INVALID_REQUEST_TYPE');
  const key = call.apiKey?.trim() ?? '';
  if (key === '') return errorAnswer('NO_KEY');
  const inactive = INACTIVE_KEYS[key];
  if (inactive === undefined && key !== SANDBOX_KEYS.teamMember && !account.keys.has(key)) {
    return errorAnswer('INVALID_API_KEY');
  }
  if (inactive !== undefined) return errorAnswer(inactive);
  const limited = account.rate.admit(key, faults.rateLimit, now);
  if (limited !== undefined) return errorAnswer(limited);
  const params = readParams(kind, call);
  if ('error' in params) return errorAnswer(params.error);
  const outcome: Outcome = kind === 'email' ? emailOutcome(params.value) : phoneOutcome(params.value);
  if (outcome.kind === 'error') return errorAnswer(outcome.errorType);
  if (account.balance < faults.pricePerCall || account.balance <= 0) return errorAnswer('INSUFFICIENT_FUNDS');
  account.balance = roundMoney(account.balance - faults.pricePerCall);
  const product =
    kind === 'email'
      ? emailProduct(params.value, outcome.level, outcome.disposable)
      : phoneProduct(params.value, outcome.level);
  const body: Record<string, unknown> = { status: true, request_id: requestId() };
  if (key !== SANDBOX_KEYS.teamMember) body.wallet = account.balance;
  body[`deep_${kind}_check`] = product;
  return { status: 200, body };
};
