/**
 * A `Verifier` for any Standard Webhooks sender, whatever its header names: `webhook-*` (Supabase) or Svix's
 * `svix-*` (Clerk). The check itself is the project's Standard Webhooks one (the `standardwebhooks` library's
 * signatures, constant-time comparison, 5 minutes either way, any active secret); the verified message id is
 * returned as the delivery id.
 */
import { verifyStandardWebhook, WEBHOOK_TOLERANCE_SEC } from '../standard-webhooks.js';
import type { Verifier } from './verifier.js';

export interface StandardWebhooksHeaders {
  id: string;
  timestamp: string;
  signature: string;
}

/** Builds the verifier of one sender (`name` for logs) reading the given header names. */
export const standardWebhooksVerifier = (name: string, headers: StandardWebhooksHeaders): Verifier => ({
  name,
  failure: { status: 401, code: 'unauthorized' },
  messages: {
    missing: `missing ${headers.id}, ${headers.timestamp} or ${headers.signature} header`,
    malformed: `${headers.id} must be 1 to 255 of A-Z a-z 0-9 . _ : -, ${headers.timestamp} unix seconds and ${headers.signature} v1,<base64> entries`,
    stale: `${headers.timestamp} is more than ${WEBHOOK_TOLERANCE_SEC} s old`,
    future: `${headers.timestamp} is more than ${WEBHOOK_TOLERANCE_SEC} s in the future`,
    mismatch: `${headers.signature} does not match the body for any active secret`,
    no_secrets: `${headers.signature} cannot be checked: no usable webhook secret is configured`,
  },
  verify(request, secrets, nowSec) {
    return verifyStandardWebhook(
      {
        id: request.header(headers.id),
        timestamp: request.header(headers.timestamp),
        signature: request.header(headers.signature),
      },
      request.rawBody,
      secrets,
      nowSec,
    );
  },
});

/** Svix's header names, as Clerk sends them. */
export const SVIX_HEADERS: StandardWebhooksHeaders = {
  id: 'svix-id',
  timestamp: 'svix-timestamp',
  signature: 'svix-signature',
};
