/** Defastra result and client port types, normalised from the wire shapes (checks or legacy signals). */
import type { RiskLevel, TimeoutMode } from '../core/levels.js';
import type { Check } from '../core/verdict.js';
import type { IdentifierKind } from '../core/vocabulary.js';

/** A successful deep check, normalised. `data` is the raw enrichment object, kept only in memory. */
export interface CheckResult {
  kind: IdentifierKind;
  riskLevel: RiskLevel;
  riskScore: number;
  requestId: string;
  checks: Check[];
  /** Wallet balance after the call, when Defastra returned it (absent for team members). */
  wallet?: number;
  data: Record<string, unknown>;
}

export interface CheckOptions {
  /** Defastra `timeout` mode; `normal` when omitted. */
  timeout?: TimeoutMode;
  /** Dashboard label, at most 30 characters (checked before sending). */
  label?: string;
  /** Caller's deadline: aborting it stops the call and any retry. */
  signal?: AbortSignal;
  /**
   * The same deadline as an epoch time in ms (`Date.now()` clock), when the caller knows it.
   * An AbortSignal does not tell when it will fire, so with this set no retry wait is started
   * that would end after it; the last error is thrown at once instead.
   */
  deadline?: number;
  /** Whether retryable errors may be retried inside this call (default true). */
  retry?: boolean;
}

/** What the screening use case needs from Defastra. `phone` is E.164 digits with no `+`. */
export interface DefastraPort {
  checkEmail(email: string, options?: CheckOptions): Promise<CheckResult>;
  checkPhone(phone: string, options?: CheckOptions): Promise<CheckResult>;
}
