/**
 * WorkOS AuthKit's registration Action request (docs/workos.md): `{ id, object:
 * "user_registration_action_context", user_data: { email, … }, ip_address, user_agent, invitation? }`,
 * validated loosely, and its mapping to a screening. Pure.
 */
import type { ScreenInput } from '../../shared/screening/screen.js';
import * as z from '../../shared/validation/zod.js';
import { part, present, runOnceKey, text } from '../provider-event.js';

export const WORKOS_REGISTRATION_CONTEXT = 'user_registration_action_context';

/** The registration context only: an authentication Action's payload is refused. */
export const workosEventSchema = z.looseObject({
  id: runOnceKey,
  object: z.literal(WORKOS_REGISTRATION_CONTEXT),
  user_data: part({ email: text }),
  ip_address: text,
  user_agent: text,
});
export type WorkosEvent = z.infer<typeof workosEventSchema>;

/** The run-once key and `source_ref`: WorkOS' id of this Action call. */
export const workosRunOnceKey = (event: WorkosEvent): string => event.id;

/** The email and the client IP; the user does not exist yet (no `subject_ref`), and WorkOS gives no phone. */
export const workosScreenInput = (event: WorkosEvent): ScreenInput => ({
  source: 'workos',
  sourceRef: event.id,
  subjectRef: null,
  email: present(event.user_data?.email),
  phone: null,
  ip: present(event.ip_address),
});
