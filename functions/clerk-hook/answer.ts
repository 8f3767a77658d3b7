/**
 * Clerk's answers (docs/clerk.md): the user already exists, so Svix only needs a `2xx`; `200` with the verdict
 * for a screened `user.created`, `200 { ignored: true, event_id: <svix-id>, event_type }` for other types. A
 * block reaches the user through enforcement (a ban through Clerk's Backend API), not through this answer. Pure.
 */
import type { Verdict } from '../../shared/core/verdict.js';
import type { ClerkEvent } from './event.js';

export interface ClerkIgnored {
  ignored: true;
  event_id: string;
  event_type: string;
}

export const clerkAnswer = (verdict: Verdict): { status: 200; body: Verdict } => ({
  status: 200,
  body: verdict,
});

export const clerkIgnored = (event: ClerkEvent, svixId: string): { status: 200; body: ClerkIgnored } => ({
  status: 200,
  body: { ignored: true, event_id: svixId, event_type: event.type },
});
