/** Why a run-once request does not run: the same key with another body, or the first run not finished yet. */
import { DomainError } from '../core/errors.js';

/** The key was used before with a different body: answered 422. */
export class IdempotencyKeyReusedError extends DomainError {
  override readonly name = 'IdempotencyKeyReusedError';
  readonly code = 'idempotency_key_reused';
}

/** The same request is still running, or its result is not readable yet: answered 409 with `Retry-After`. */
export class InProgressError extends DomainError {
  override readonly name = 'InProgressError';
  readonly code = 'in_progress';
}
