/** Time as records keep it: epoch seconds for expiry (expired on read, as TTL deletion is lazy), ISO instants that sort. */

/** Epoch seconds of an epoch-millisecond clock reading. */
export const nowSeconds = (nowMs: number): number => Math.floor(nowMs / 1000);

/** True when `expiresAt` (epoch seconds) is at or before `nowMs`: the record counts as gone. */
export const isExpiredAt = (expiresAt: number | null | undefined, nowMs: number): boolean =>
  expiresAt !== undefined && expiresAt !== null && expiresAt <= nowSeconds(nowMs);

/** An ISO 8601 date normalised to `toISOString()` form, so that string order is time order. */
export const toInstant = (value: string, field: string): string => {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`${field} is not a valid ISO 8601 date`);
  return new Date(ms).toISOString();
};
