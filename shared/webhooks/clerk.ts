/**
 * Clerk webhooks, delivered by Svix (docs/clerk.md): Standard Webhooks under Svix's header names (`svix-id`,
 * `svix-timestamp`, `svix-signature`), secrets as Clerk shows them (`whsec_<base64>`, several separated by
 * spaces in `CLERK_WEBHOOK_SECRET`); else `401 unauthorized`. `svix-id`, kept by Svix across retries, is the
 * verified delivery id.
 */
import { standardWebhooksVerifier } from './standard-webhooks.js';

export const clerkVerifier = standardWebhooksVerifier('clerk', 'svix');
