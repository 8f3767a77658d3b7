/** Body middleware in contract order: size limit (413, refused while streaming), then later the media type (415) and JSON (400). */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';
import { ApiError } from './errors.js';

export const MAX_BODY_BYTES = 256 * 1024;

const tooLarge = () =>
  new ApiError(413, 'payload_too_large', `request body is larger than ${MAX_BODY_BYTES / 1024} KiB`, {
    // The rest of the body is not read: the connection cannot carry another request.
    Connection: 'close',
  });

/**
 * Reads the body as it streams in, counting bytes, and stops at the first byte past `maxBytes`: a body is never
 * buffered past the limit, whatever its Content-Length says or whether it is chunked.
 */
const readLimited = async (request: Request, maxBytes: number): Promise<Uint8Array> => {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
};

/** Reads the raw body once (Content-Length first, then the bytes as they arrive) and keeps it as `rawBody` and `rawBytes`. */
export const readBody =
  (maxBytes = MAX_BODY_BYTES): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const declared = Number(c.req.header('content-length') ?? '0');
    if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
    const bytes = await readLimited(c.req.raw, maxBytes);
    c.set('rawBytes', bytes);
    c.set('rawBody', new TextDecoder('utf-8', { fatal: false }).decode(bytes));
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
