/**
 * The one shape of a signed route's credential check: a `Verifier` reads the request's headers and raw body and
 * says whether any active secret vouches for them, or why not. Routes turn a failure into the verifier's own
 * status and code (`401 unauthorized` for most providers, `400 invalid_signature` for Stripe and Paddle) and log
 * the reason, never the headers.
 */

/** Why a request was refused; for logs only (never echo the headers). */
export type VerifyFailure = 'missing' | 'malformed' | 'stale' | 'future' | 'mismatch' | 'no_secrets';

/** `id` is the delivery id the signature vouches for (Svix `svix-id`, a signed `Idempotency-Key`), when any. */
export type Verification = { ok: true; id?: string } | { ok: false; reason: VerifyFailure };

/** What a verifier may read of a request: headers (case-insensitive names) and the body as received. */
export interface SignedRequest {
  header(name: string): string | undefined;
  rawBody: string;
  rawBytes: Uint8Array;
}

export interface Verifier {
  /** Names the provider in logs: 'auth0', 'stripe', 'supabase', 'okta', ... */
  name: string;
  /** The provider's convention for a refused credential. */
  failure: { status: 400 | 401; code: 'unauthorized' | 'invalid_signature' };
  /** Caller-facing text per reason: no secret, no header value. */
  messages: Record<VerifyFailure, string>;
  /** Checks `request` against every active secret at `nowSec` (unix seconds). Pure: no I/O, no clock. */
  verify(request: SignedRequest, secrets: readonly string[], nowSec: number): Verification;
}

/** A refusal, typed so verifiers can return it directly. */
export const refuse = (reason: VerifyFailure): Verification => ({ ok: false, reason });

/** True when a header is absent or blank (a blank credential is treated as no credential). */
export const absent = (value: string | undefined): value is undefined =>
  value === undefined || value.trim() === '';

/** The secrets that can vouch for anything: blank entries (a stray comma in a setting) never match. */
export const usableSecrets = (secrets: readonly string[]): string[] =>
  secrets.filter((secret) => secret.trim() !== '');
