/**
 * What can go wrong, as the domain says it: `errorName` for logs (never the message, which may quote input), and
 * the DomainError base whose stable `code` the one central HTTP error handler (shared/http/errors.ts) maps to a
 * status and an answer.
 */

/** The `name` of a thrown value for a log line: `Error`'s name, or `unknown` for anything without one. */
export const errorName = (error: unknown): string => {
  if (typeof error === 'object' && error !== null) {
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '') return name;
  }
  return 'unknown';
};

/** The codes of domain errors; each has one HTTP answer (shared/http/errors.ts). */
export type DomainErrorCode =
  | 'not_found'
  | 'conflict'
  | 'version_conflict'
  | 'invalid_input'
  | 'invalid_cursor'
  | 'store_unavailable'
  | 'in_progress'
  | 'idempotency_key_reused';

/** A failure the domain expects and names; its message is shown to the caller, so it holds no PII or secret. */
export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
}

/** The thing asked for does not exist (or no longer does). */
export class NotFoundError extends DomainError {
  override readonly name: string = 'NotFoundError';
  readonly code = 'not_found';
}

/** The request conflicts with the current state of what it changes. */
export class ConflictError extends DomainError {
  override readonly name: string = 'ConflictError';
  readonly code = 'conflict';
}

/** A change was made against a version that is no longer the current one (docs/policy-lifecycle.md). */
export class VersionConflictError extends DomainError {
  override readonly name: string = 'VersionConflictError';
  readonly code = 'version_conflict';
}

/**
 * An input the domain refuses (a range, a candidate policy): answered as `<where>: <message>`, where `where` names
 * the part of the request it came from (`query`, `body`, `body field "policy"`).
 */
export class InvalidInputError extends DomainError {
  override readonly name: string = 'InvalidInputError';
  readonly code = 'invalid_input';
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(message);
  }
}
