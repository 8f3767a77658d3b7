/**
 * The identifiers a pending re-screen needs (docs/rescreen.md), sealed with AES-256-GCM: never raw at rest, bound to
 * their verdict (the verdict id is the authenticated data, so a sealed value moved to another verdict does not open).
 * Sealed text is `v1.<iv>.<tag>.<ciphertext>`, base64url parts; a fresh 96-bit IV per seal.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** What a re-screen screens again: the raw values given at signup (only ever held sealed). */
export interface RescreenIdentifiers {
  email: string | null;
  phone: string | null;
  ip: string | null;
}

const ALGORITHM = 'aes-256-gcm';
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** The key from its secret text: 32 bytes, base64 or base64url (how the secret is generated). */
export const rescreenKeyOf = (secret: string): Buffer => {
  const key = Buffer.from(secret.trim(), 'base64url');
  if (key.length !== KEY_BYTES) throw new Error('the re-screen key must be 32 bytes, base64');
  return key;
};

/** A new random key, as its secret text. */
export const newRescreenKey = (): string => randomBytes(KEY_BYTES).toString('base64url');

/** Seals `ids` for the verdict `verdictId`. */
export const sealIdentifiers = (key: Buffer, verdictId: string, ids: RescreenIdentifiers): string => {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(verdictId, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(ids), 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), body]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
};

/** Opens what `sealIdentifiers` sealed for `verdictId`; null when it does not open (another key, verdict or tampering). */
export const openIdentifiers = (
  key: Buffer,
  verdictId: string,
  sealed: string,
): RescreenIdentifiers | null => {
  const [version, iv, tag, body, ...rest] = sealed.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || body === undefined || rest.length > 0) {
    return null;
  }
  try {
    const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(verdictId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
    const parsed = JSON.parse(text) as Partial<RescreenIdentifiers>;
    const field = (value: unknown) => (typeof value === 'string' ? value : null);
    return { email: field(parsed.email), phone: field(parsed.phone), ip: field(parsed.ip) };
  } catch {
    return null;
  }
};
