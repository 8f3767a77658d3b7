/** Typed Defastra errors: one class per error family, each with the error type and a retryable flag. */

/** Error types of our own for failures where Defastra gave no usable answer. */
export type TransportErrorType = 'TIMEOUT' | 'BAD_RESPONSE' | 'NETWORK';

export abstract class DefastraError extends Error {
  /** Defastra's `error_type`, or TIMEOUT / BAD_RESPONSE / NETWORK. */
  abstract readonly type: string;
  /** Whether the same request may succeed later (rate limits, Defastra system errors, transport failures). */
  abstract readonly retryable: boolean;
}

/** Defastra answered `status: false`. Subclasses group the error types by what the caller should do. */
export abstract class DefastraApiError extends DefastraError {
  constructor(
    readonly type: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** NO_KEY, INVALID_API_KEY, INACTIVE_API_KEY, INACTIVE_API_ACCESS, INACTIVE_TEAM_USER: fix the key or account. */
export class DefastraAuthError extends DefastraApiError {
  override readonly name = 'DefastraAuthError';
  readonly retryable = false;
}

/** INSUFFICIENT_FUNDS: top up the wallet. */
export class DefastraFundsError extends DefastraApiError {
  override readonly name = 'DefastraFundsError';
  readonly retryable = false;
}

/** RATE_LIMITED_5_SECONDS, RATE_LIMITED_1_MINUTE: wait for the window to clear. */
export class DefastraRateLimitError extends DefastraApiError {
  override readonly name = 'DefastraRateLimitError';
  readonly retryable = true;
  /** How long the window lasts, in milliseconds. */
  get windowMs(): number {
    return this.type === 'RATE_LIMITED_1_MINUTE' ? 60_000 : 5_000;
  }
}

/** SYSTEM_ERROR, UNHANDLED_EXCEPTION, SYSTEM_UNAVAILABLE: Defastra's side failed. */
export class DefastraSystemError extends DefastraApiError {
  override readonly name = 'DefastraSystemError';
  readonly retryable = true;
}

/** INVALID_* errors and any unknown error type: the request itself is wrong. */
export class DefastraRequestError extends DefastraApiError {
  override readonly name = 'DefastraRequestError';
  readonly retryable = false;
}

/** The answer was not JSON, not a Defastra envelope, or an HTTP 5xx without one. */
export class DefastraBadResponseError extends DefastraError {
  override readonly name = 'DefastraBadResponseError';
  readonly type = 'BAD_RESPONSE';
  readonly retryable = true;
  constructor(
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** The connection failed. `beforeSend` is true when no byte of the request left (safe to retry). */
export class DefastraNetworkError extends DefastraError {
  override readonly name = 'DefastraNetworkError';
  readonly type = 'NETWORK';
  readonly retryable = true;
  constructor(
    message: string,
    readonly beforeSend: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The caller's deadline passed before Defastra answered. Never retried inside the call: it may bill twice. */
export class DefastraTimeoutError extends DefastraError {
  override readonly name = 'DefastraTimeoutError';
  readonly type = 'TIMEOUT';
  readonly retryable = true;
}

const AUTH = new Set([
  'NO_KEY',
  'INVALID_API_KEY',
  'INACTIVE_API_KEY',
  'INACTIVE_API_ACCESS',
  'INACTIVE_TEAM_USER',
]);
const RATE = new Set(['RATE_LIMITED_5_SECONDS', 'RATE_LIMITED_1_MINUTE']);
const SYSTEM = new Set(['SYSTEM_ERROR', 'UNHANDLED_EXCEPTION', 'SYSTEM_UNAVAILABLE']);

/** Maps a Defastra `error_type` to its error class. */
export const apiErrorFor = (type: string, message: string, httpStatus?: number): DefastraApiError => {
  if (AUTH.has(type)) return new DefastraAuthError(type, message, httpStatus);
  if (type === 'INSUFFICIENT_FUNDS') return new DefastraFundsError(type, message, httpStatus);
  if (RATE.has(type)) return new DefastraRateLimitError(type, message, httpStatus);
  if (SYSTEM.has(type)) return new DefastraSystemError(type, message, httpStatus);
  return new DefastraRequestError(type, message, httpStatus);
};

/** Every `error_type` Defastra documents (reference section 8), in the order of its error table. */
export const DEFASTRA_ERROR_TYPES = [
  'INSUFFICIENT_FUNDS',
  'INVALID_REQUEST_TYPE',
  'INVALID_API_KEY',
  'NO_KEY',
  'INACTIVE_API_KEY',
  'INACTIVE_API_ACCESS',
  'SYSTEM_ERROR',
  'UNHANDLED_EXCEPTION',
  'SYSTEM_UNAVAILABLE',
  'RATE_LIMITED_5_SECONDS',
  'RATE_LIMITED_1_MINUTE',
  'INVALID_REQUEST_TIMEOUT',
  'INVALID_REQUEST_PHONE',
  'INVALID_REQUEST_EMAIL',
  'INVALID_PARAMETER',
  'INVALID_LABEL',
  'INACTIVE_TEAM_USER',
] as const;
export type DefastraErrorType = (typeof DEFASTRA_ERROR_TYPES)[number];

export const isDefastraErrorType = (value: unknown): value is DefastraErrorType =>
  typeof value === 'string' && (DEFASTRA_ERROR_TYPES as readonly string[]).includes(value);
