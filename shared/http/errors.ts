/** The one error shape of docs/api.md, the ApiError to throw from routes, and the mapper every app installs. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError, type DomainErrorCode, InvalidInputError } from '../core/errors.js';
import { errorLogFields } from '../observability/error-fields.js';
import type { Telemetry } from '../observability/telemetry.js';

export interface ErrorBody {
  error: { code: string; message: string };
}

/** An error with its HTTP status and contract code; its message is shown to the caller, so it holds no PII. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Seconds a caller should wait before retrying when the store is unavailable. */
export const STORE_RETRY_AFTER_S = 5;

/** Seconds a caller should wait before retrying a request that is in progress. */
export const IN_PROGRESS_RETRY_AFTER_S = 2;

export const errorBody = (code: string, message: string): ErrorBody => ({ error: { code, message } });

export const badRequest = (message: string): ApiError => new ApiError(400, 'invalid_request', message);

/** The HTTP answer of each domain error code: the one place domain errors meet the contract. */
const DOMAIN_ANSWERS: Record<DomainErrorCode, (error: DomainError) => ApiError> = {
  not_found: (error) => new ApiError(404, 'not_found', error.message),
  conflict: (error) => new ApiError(409, 'conflict', error.message),
  version_conflict: (error) => new ApiError(409, 'version_conflict', error.message),
  invalid_input: (error) =>
    badRequest(error instanceof InvalidInputError ? `${error.where}: ${error.message}` : error.message),
  invalid_cursor: () => badRequest('cursor is not valid for this query'),
  store_unavailable: () =>
    new ApiError(
      503,
      'store_unavailable',
      'the verdict store is unavailable; nothing was stored, try again shortly',
      {
        'Retry-After': String(STORE_RETRY_AFTER_S),
      },
    ),
  in_progress: (error) =>
    new ApiError(409, 'in_progress', error.message, { 'Retry-After': String(IN_PROGRESS_RETRY_AFTER_S) }),
  idempotency_key_reused: (error) => new ApiError(422, 'idempotency_key_reused', error.message),
};

/** A domain error as the contract answers it. */
export const fromDomain = (error: DomainError): ApiError => DOMAIN_ANSWERS[error.code](error);

/** Where the request was: its route pattern (never the path, which may hold an id) and its verdict, when known. */
const requestFields = (c: Context): Record<string, string> => {
  const verdictId = c.get('verdictId') as string | undefined;
  return { route: c.req.routePath, ...(verdictId ? { verdict_id: verdictId } : {}) };
};

/**
 * Maps any thrown value to the contract's error response; unexpected errors become 500 `internal`, logged
 * with their cause (name, redacted message, first stack frame: shared/observability/error-fields.ts).
 */
export const errorHandler =
  (telemetry: () => Telemetry) =>
  (error: Error, c: Context): Response => {
    if (error instanceof DomainError && error.code === 'store_unavailable') {
      telemetry().error('store unavailable', { ...errorLogFields(error), ...requestFields(c) });
    }
    const known = error instanceof DomainError ? fromDomain(error) : error;
    if (known instanceof ApiError) {
      for (const [name, value] of Object.entries(known.headers)) c.header(name, value);
      return c.json(errorBody(known.code, known.message), known.status);
    }
    telemetry().error('unexpected error', { ...errorLogFields(error), ...requestFields(c) });
    return c.json(errorBody('internal', 'internal error'), 500);
  };

export const notFound = (c: Context): Response => c.json(errorBody('not_found', 'no such route'), 404);
