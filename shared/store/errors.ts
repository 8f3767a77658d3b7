/** The store's domain errors: a cursor that does not open, and a store that cannot be reached. */
import { DomainError } from '../core/errors.js';

/** Thrown by a cursor that does not decode or verify: answered 400. */
export class InvalidCursorError extends DomainError {
  override readonly name = 'InvalidCursorError';
  readonly code = 'invalid_cursor';
}

/** Thrown when the store cannot be reached or fails: answered 503 `store_unavailable`, never half-written. */
export class StoreUnavailableError extends DomainError {
  override readonly name = 'StoreUnavailableError';
  readonly code = 'store_unavailable';
}
