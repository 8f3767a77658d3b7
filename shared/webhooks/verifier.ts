/**
 * One shape for every signed webhook (Auth0, Stripe, Standard Webhooks: Supabase, Clerk/Svix; Paddle, Okta, Kratos,
 * WorkOS to come): a verifier checks the request's signature headers over its raw body against the active secrets,
 * and says how a refusal is answered and logged. `verifySignature` (shared/http/verify-signature.ts) runs any of them.
 */

/** Why a signature was refused; for logs and the caller's message (never an echo of the header). */
export type VerifyFailure = 'missing' | 'malformed' | 'stale' | 'future' | 'mismatch' | 'no_secrets';

/** A verified request, with the delivery's own id when the scheme signs one (webhook-id, svix-id). */
export type Verification = { ok: true; id?: string } | { ok: false; reason: VerifyFailure };

/** What a verifier reads of a request: its headers (case-insensitive) and its raw body, as text and as bytes. */
export interface SignedRequest {
  header(name: string): string | undefined;
  rawBody: string;
  rawBytes: Uint8Array;
}

export interface Verifier {
  /** Names the hook in log lines: `auth0`, `stripe`, `supabase`, ... */
  name: string;
  /** How every refusal is answered. */
  failure: { status: 400 | 401; code: 'unauthorized' | 'invalid_signature' };
  /** The caller-facing message per reason: no secret, no header echo. */
  messages: Record<VerifyFailure, string>;
  /** What each reason usually means, for the operator's log line. */
  hints: Record<VerifyFailure, string>;
  verify(request: SignedRequest, secrets: readonly string[], nowSec: number): Verification;
}

/** A refusal, typed so verifiers can return it directly. */
export const refuse = (reason: VerifyFailure): Verification => ({ ok: false, reason });

/** True when a header is absent or blank (a blank credential is treated as no credential). */
export const absent = (value: string | undefined): value is undefined =>
  value === undefined || value.trim() === '';

/** The secrets that can vouch for anything: blank entries (a stray separator in a setting) never match. */
export const usableSecrets = (secrets: readonly string[]): string[] =>
  secrets.filter((secret) => secret.trim() !== '');
