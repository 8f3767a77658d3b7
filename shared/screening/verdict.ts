/** The verdict object of design 1.4: what every screening route returns and what the store keeps. */
import type { Check } from '../defastra/types.js';
import type { Decision, RiskLevel, Source } from '../policy/levels.js';

export const REASON_CODES = [
  'allowlist',
  'blocklist',
  'email_risk',
  'phone_risk',
  'defastra_error',
  'invalid_email',
  'invalid_phone',
  'no_identifiers',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface Reason {
  code: ReasonCode;
  message: string;
}

/** One identifier's part of a verdict. Exactly one of: a result, an error, a list hit, or invalid. */
export interface IdentifierOutcome {
  masked: string;
  risk_level?: RiskLevel;
  risk_score?: number;
  request_id?: string;
  cached?: boolean;
  checks?: Check[];
  error?: { type: string; message: string };
  listed?: 'allow' | 'block';
  invalid?: true;
}

export interface Verdict {
  verdict_id: string;
  created_at: string;
  source: Source;
  source_ref: string | null;
  decision: Decision;
  reasons: Reason[];
  degraded: boolean;
  email: IdentifierOutcome | null;
  phone: IdentifierOutcome | null;
  policy_version: string;
}

/** A verdict plus the keyed hashes the store indexes it by (never the raw values). */
export interface VerdictRecord {
  verdict: Verdict;
  emailHash: string | null;
  phoneHash: string | null;
  /** Epoch seconds after which the record may be deleted (`retention_days`). */
  expiresAt: number;
}
