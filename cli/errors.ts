/** The CLI's errors and exit codes (0 ok, 1 failure, 2 usage): each error is shown as one line on stderr. */

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A failure to report as one line (no stack trace); `exitCode` 1 unless a subclass says otherwise. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}

/** Bad command-line input found after parsing (a bad date, conflicting options): exit 2. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** The API could not be reached at all (connection refused, DNS, TLS, reset). */
export class NetworkError extends CliError {
  override readonly name = 'NetworkError';
}

/** The API answered with a non-2xx status; `code` is the contract's error code when the body had one. */
export class ApiCallError extends CliError {
  override readonly name = 'ApiCallError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    /** From a `Retry-After` header, in milliseconds. */
    readonly retryAfterMs: number | undefined,
    hint = '',
  ) {
    super(`${status} ${code}: ${detail}${hint ? ` (${hint})` : ''}`);
  }
}
