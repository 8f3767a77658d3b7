/** Body middleware in contract order: size limit (413), then later the media type (415) and JSON parsing (400). */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';
import { ApiError } from './errors.js';

export const MAX_BODY_BYTES = 256 * 1024;

const tooLarge = () =>
  new ApiError(413, 'payload_too_large', `request body is larger than ${MAX_BODY_BYTES / 1024} KiB`);

/** Reads the raw body once (checking Content-Length first, then the bytes read) and keeps it as `rawBody`. */
export const readBody =
  (maxBytes = MAX_BODY_BYTES): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const declared = Number(c.req.header('content-length') ?? '0');
    if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
    const buffer = await c.req.arrayBuffer();
    if (buffer.byteLength > maxBytes) throw tooLarge();
    c.set('rawBody', new TextDecoder('utf-8', { fatal: false }).decode(buffer));
    await next();
  };

/** Media types are compared without parameters: `application/json; charset=utf-8` is JSON. */
export const isJsonMediaType = (header: string | undefined): boolean =>
  (header ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';

/** 415 unless the body is declared JSON, then 400 `invalid_json` unless it parses; keeps the value as `json`. */
export const parseJson = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  if (!isJsonMediaType(c.req.header('content-type'))) {
    throw new ApiError(415, 'unsupported_media_type', 'Content-Type must be application/json');
  }
  try {
    c.set('json', JSON.parse(c.get('rawBody')) as unknown);
  } catch {
    throw new ApiError(400, 'invalid_json', 'request body is not valid JSON');
  }
  await next();
};
