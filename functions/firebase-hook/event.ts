/**
 * The body the Firebase forwarder (integrations/firebase/, docs/firebase.md) posts for each `beforeUserCreated`
 * event: `{ uid, email, phone_number, ip_address, event_id }`, and its mapping to a screening. Pure.
 */
import type { ScreenInput } from '../../shared/screening/screen.js';
import * as z from '../../shared/validation/zod.js';
import { asRunOnceKey, opaqueId, present, runOnceKey, subjectRef, text } from '../provider-event.js';

export const firebaseEventSchema = z.looseObject({
  uid: opaqueId,
  email: text,
  phone_number: text,
  ip_address: text,
  event_id: z.nullish(runOnceKey),
});
export type FirebaseEvent = z.infer<typeof firebaseEventSchema>;

/**
 * The run-once key and `source_ref`: the signed `Idempotency-Key` (the forwarder sends the event id there),
 * else the body's `event_id`, else none.
 */
export const firebaseRunOnceKey = (event: FirebaseEvent, idempotencyKey: string | undefined): string | null =>
  asRunOnceKey(idempotencyKey) ?? asRunOnceKey(event.event_id);

/** Email, phone (Firebase keeps E.164), client IP; the uid as `subject_ref` (any address inside it masked). */
export const firebaseScreenInput = (event: FirebaseEvent, runOnce: string | null): ScreenInput => ({
  source: 'firebase',
  sourceRef: runOnce,
  subjectRef: subjectRef(event.uid),
  email: present(event.email),
  phone: present(event.phone_number),
  ip: present(event.ip_address),
});
