/** The one error shape of design 1.3, the ApiError to throw from routes, and the mapper every app installs. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { errorLogFields } from '../observability/error-fields.js';
import type { Telemetry } from '../observability/telemetry.js';
import { InvalidCursorError, StoreUnavailableError } from '../store/port.js';

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

export const errorBody = (code: string, message: string): ErrorBody => ({ error: { code, message } });

export const badRequest = (message: string): ApiError => new ApiError(400, 'invalid_request', message);

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
    if (error instanceof ApiError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return c.json(errorBody(error.code, error.message), error.status);
    }
    if (error instanceof InvalidCursorError) {
      return c.json(errorBody('invalid_request', 'cursor is not valid for this query'), 400);
    }
    if (error instanceof StoreUnavailableError) {
      telemetry().error('store unavailable', { ...errorLogFields(error), ...requestFields(c) });
      c.header('Retry-After', String(STORE_RETRY_AFTER_S));
      return c.json(
        errorBody(
          'store_unavailable',
          'the verdict store is unavailable; nothing was stored, try again shortly',
        ),
        503,
      );
    }
    telemetry().error('unexpected error', { ...errorLogFields(error), ...requestFields(c) });
    return c.json(errorBody('internal', 'internal error'), 500);
  };

export const notFound = (c: Context): Response => c.json(errorBody('not_found', 'no such route'), 404);
