/** The `t=<timestamp>,v1=<hex>[,v1=<hex>…]` signature header shared by the Auth0 Actions' scheme and WorkOS's. */

const MAX_HEADER_LENGTH = 1024;
const MAX_SIGNATURES = 8;
const HEX = /^[0-9a-f]{1,128}$/i;

export interface TimestampedSignatures {
  t: number;
  /** The `v1` signatures, lower-case hex. */
  v1: string[];
}

/**
 * `t=<digits>` exactly once and 1–8 `v1=<hex>`, comma separated (spaces allowed); other `key=value` parts (future
 * schemes) are ignored. `maxTimestampDigits` bounds `t` (12 for unix seconds, 15 for unix milliseconds). Null for
 * anything else, including a header over 1 KiB.
 */
export const parseTimestampedHeader = (
  header: string,
  maxTimestampDigits: number,
): TimestampedSignatures | null => {
  if (header.length > MAX_HEADER_LENGTH) return null;
  const timestamp = new RegExp(`^\\d{1,${maxTimestampDigits}}$`);
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== undefined || !timestamp.test(value)) return null;
      t = Number(value);
    } else if (key === 'v1') {
      if (!HEX.test(value)) return null;
      v1.push(value.toLowerCase());
    }
  }
  if (t === undefined || v1.length === 0 || v1.length > MAX_SIGNATURES) return null;
  return { t, v1 };
};
