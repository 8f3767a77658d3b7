/**
 * The port every provider adapter implements (docs/enforcement.md): block an account, undo it. An adapter throws
 * EnforcementError with a short code (stored on the verdict and logged: never a secret, an email or a provider's
 * message text) and whether trying again later may succeed.
 */

/** The account a verdict is about, as the provider knows it. */
export interface Account {
  verdictId: string;
  /** The provider's id of the person (`subject_ref`): Supabase and Clerk user id, Cognito userName, Stripe customer. */
  subjectRef: string | null;
  /** Cognito: the user pool the trigger ran for (kept in the verdict's stored facts). */
  userPoolId: string | null;
  /** Stable per intent: sent as the idempotency key where the provider takes one (Stripe). */
  idempotencyKey: string;
}

export interface AccountProvider {
  block(account: Account): Promise<void>;
  unblock(account: Account): Promise<void>;
}

/** Why an enforcement did not happen. `transient`: network, timeout, 429, 5xx, an account not visible yet. */
export class EnforcementError extends Error {
  override readonly name = 'EnforcementError';
  constructor(
    /** Short and safe to store and log: `http_403`, `timeout`, `no_account`, `not_configured`, ... */
    readonly code: string,
    readonly transient: boolean,
  ) {
    super(code);
  }
}

/** A 4xx other than 429 will fail again; 429 and 5xx may not. */
export const httpFailure = (status: number): EnforcementError =>
  new EnforcementError(`http_${status}`, status === 429 || status >= 500);

/** The account id an adapter needs, or a permanent `no_account` failure. */
export const requireSubject = (account: Account, valid: RegExp = /^[^\s/?#]{1,255}$/): string => {
  const subject = account.subjectRef;
  if (subject === null || !valid.test(subject)) throw new EnforcementError('no_account', false);
  return subject;
};
