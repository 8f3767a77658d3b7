/** Builds the `SignedRequest` a route hands a verifier, from plain headers (case-insensitive, as HTTP) and a body. */
import type { SignedRequest, Verification, Verifier, VerifyFailure } from '../../shared/webhooks/verifier.js';

export const signedRequest = (headers: Record<string, string>, body: string): SignedRequest => {
  const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return {
    header: (name) => lower.get(name.toLowerCase()),
    rawBody: body,
    rawBytes: new TextEncoder().encode(body),
  };
};

export const refused = (reason: VerifyFailure): Verification => ({ ok: false, reason });

/** Every message is non-empty and echoes none of `forbidden` (secrets, header values). */
export const expectQuietMessages = (verifier: Verifier, forbidden: readonly string[]): void => {
  for (const message of Object.values(verifier.messages)) {
    if (message.length === 0) throw new Error(`${verifier.name}: empty message`);
    for (const text of forbidden) {
      if (message.includes(text)) throw new Error(`${verifier.name}: message echoes ${text}`);
    }
  }
};
