/** The sandbox's deterministic test identities (emails, phones, API keys) and the outcome each one gives. */
import type { RiskLevel } from '../../core/levels.js';
import { DEFASTRA_ERROR_TYPES, type DefastraErrorType, isDefastraErrorType } from '../errors.js';

/** What the sandbox answers for an input, once the request itself is valid. */
export type Outcome =
  | { kind: 'level'; level: RiskLevel; disposable?: boolean }
  | { kind: 'error'; errorType: DefastraErrorType };

/** Domains the sandbox treats as temporary-mail services (EMAIL_DISPOSABLE risk, level high). */
export const DISPOSABLE_DOMAINS: readonly string[] = ['mailinator.com', 'tempmail.dev', 'yopmail.com'];

/** Last four digits of a phone number that choose its risk level. */
export const PHONE_LEVEL_SUFFIXES: Readonly<Record<string, RiskLevel>> = {
  '0001': 'low',
  '0002': 'medium',
  '0003': 'high',
  '0004': 'extreme',
};

/** Last four digits of a phone number that force a Defastra error. */
export const PHONE_ERROR_SUFFIXES: Readonly<Record<string, DefastraErrorType>> = {
  '0901': 'SYSTEM_ERROR',
  '0902': 'UNHANDLED_EXCEPTION',
  '0903': 'SYSTEM_UNAVAILABLE',
  '0904': 'RATE_LIMITED_5_SECONDS',
  '0905': 'RATE_LIMITED_1_MINUTE',
  '0906': 'INSUFFICIENT_FUNDS',
  '0907': 'NO_KEY',
  '0908': 'INVALID_API_KEY',
  '0909': 'INACTIVE_API_KEY',
  '0910': 'INACTIVE_API_ACCESS',
  '0911': 'INACTIVE_TEAM_USER',
  '0912': 'INVALID_REQUEST_TYPE',
  '0913': 'INVALID_PARAMETER',
  '0914': 'INVALID_REQUEST_TIMEOUT',
  '0915': 'INVALID_LABEL',
  '0916': 'INVALID_REQUEST_EMAIL',
  '0917': 'INVALID_REQUEST_PHONE',
};

/** French mobile test range used for every documented sandbox phone (E.164 digits, no '+'). */
const PHONE_BASE = '3360000';

const errorEmails = Object.fromEntries(
  DEFASTRA_ERROR_TYPES.map((type) => [type, `error-${type.toLowerCase()}@example.com`]),
) as Record<DefastraErrorType, string>;

const errorPhones = Object.fromEntries(
  Object.entries(PHONE_ERROR_SUFFIXES).map(([suffix, type]) => [type, `${PHONE_BASE}${suffix}`]),
) as Record<DefastraErrorType, string>;

/** API keys the sandbox knows besides the configured ones (the configured default is `sandbox-key`). */
export const SANDBOX_KEYS = {
  valid: 'sandbox-key',
  /** A deactivated key: INACTIVE_API_KEY. */
  inactiveKey: 'sandbox-inactive-key',
  /** A key of an account whose API access is off: INACTIVE_API_ACCESS. */
  inactiveAccess: 'sandbox-inactive-access',
  /** A suspended team member's key: INACTIVE_TEAM_USER. */
  inactiveTeamUser: 'sandbox-inactive-team-user',
  /** An active team member's key: works, but answers carry no `wallet`. */
  teamMember: 'sandbox-team-member',
} as const;

/** Every documented identity; docs/sandbox.md mirrors this table. */
export const SANDBOX_IDENTITIES = {
  email: {
    low: 'low@example.com',
    medium: 'medium@example.com',
    high: 'high@example.com',
    extreme: 'extreme@example.com',
    /** A plus tag chooses the level too. */
    plusHigh: 'jane+high@example.com',
    /** A domain on the disposable list: high, with EMAIL_DISPOSABLE risk. */
    disposable: 'someone@mailinator.com',
    /** Any other valid address. */
    other: 'jane.doe@example.org',
    errors: errorEmails,
  },
  phone: {
    low: `${PHONE_BASE}0001`,
    medium: `${PHONE_BASE}0002`,
    high: `${PHONE_BASE}0003`,
    extreme: `${PHONE_BASE}0004`,
    /** Any other valid number. */
    other: '14155552671',
    errors: errorPhones,
  },
  keys: SANDBOX_KEYS,
} as const;

const LEVEL_TAGS: readonly string[] = ['low', 'medium', 'high', 'extreme'];

/** The parts of a local part that may carry a tag: the whole of it and its `+tag`. */
const tagsOf = (localPart: string): string[] => {
  const plus = localPart.lastIndexOf('+');
  return plus >= 0 ? [localPart, localPart.slice(plus + 1)] : [localPart];
};

/** Outcome of a valid email: `error-<type>` tag, then level tag, then disposable domain, else low. */
export const emailOutcome = (email: string): Outcome => {
  const lower = email.toLowerCase();
  const at = lower.lastIndexOf('@');
  const tags = tagsOf(lower.slice(0, at));
  const domain = lower.slice(at + 1);
  for (const tag of tags) {
    const errorType = tag.startsWith('error-') ? tag.slice('error-'.length).toUpperCase() : '';
    if (isDefastraErrorType(errorType)) return { kind: 'error', errorType };
  }
  const level = tags.find((tag) => LEVEL_TAGS.includes(tag));
  if (level !== undefined) return { kind: 'level', level: level as RiskLevel };
  if (DISPOSABLE_DOMAINS.includes(domain)) return { kind: 'level', level: 'high', disposable: true };
  return { kind: 'level', level: 'low' };
};

/** Outcome of a valid phone (digits only), chosen by its last four digits; low otherwise. */
export const phoneOutcome = (digits: string): Outcome => {
  const suffix = digits.slice(-4);
  const errorType = PHONE_ERROR_SUFFIXES[suffix];
  if (errorType !== undefined) return { kind: 'error', errorType };
  return { kind: 'level', level: PHONE_LEVEL_SUFFIXES[suffix] ?? 'low' };
};
