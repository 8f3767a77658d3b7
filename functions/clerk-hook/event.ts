/**
 * Clerk's `user.created` webhook, delivered by Svix after the user exists (docs/clerk.md): `{ type, object,
 * timestamp, data: <Clerk User>, event_attributes? }`, validated loosely, and its mapping to a screening. Pure.
 */
import type { ScreenInput } from '../../shared/screening/screen.js';
import * as z from '../../shared/validation/zod.js';
import { asRunOnceKey, opaqueId, part, present, subjectRef, text } from '../provider-event.js';

export const CLERK_SCREENED_TYPE = 'user.created';

const emailAddress = z.looseObject({ id: opaqueId, email_address: text });
const phoneNumber = z.looseObject({ id: opaqueId, phone_number: text });

export const clerkEventSchema = z.looseObject({
  type: z.string().check(z.minLength(1), z.maxLength(255)),
  object: text,
  timestamp: z.nullish(z.number()),
  // Other types' `data` (sessions, organizations...) is any object; only a user's fields are read.
  data: z.looseObject({
    id: opaqueId,
    primary_email_address_id: opaqueId,
    email_addresses: z.nullish(z.array(emailAddress).check(z.maxLength(100))),
    primary_phone_number_id: opaqueId,
    phone_numbers: z.nullish(z.array(phoneNumber).check(z.maxLength(100))),
  }),
  event_attributes: part({ http_request: part({ client_ip: text, user_agent: text }) }),
});
export type ClerkEvent = z.infer<typeof clerkEventSchema>;

/** The run-once key and `source_ref`: the `svix-id` header (Svix keeps it across retries). */
export const clerkRunOnceKey = (svixId: string | undefined): string | null => asRunOnceKey(svixId);

/** The entry `primaryId` names; the first entry when the user has no primary one. */
const primary = <T extends { id?: string | null }>(
  entries: readonly T[] | null | undefined,
  primaryId: string | null | undefined,
): T | undefined => {
  if (!entries || entries.length === 0) return undefined;
  const id = present(primaryId);
  return id === null ? entries[0] : entries.find((entry) => entry.id === id);
};

/** Addresses that stand for no client (Clerk's placeholder, a user created from a backend). */
const UNSPECIFIED_IPS = new Set(['0.0.0.0', '::']);

/**
 * A `user.created` screens the user's primary email and phone, the client IP of the sign-up request when Clerk
 * gives one, the user id (`user_…`) as `subject_ref` and the `svix-id` as `source_ref`; any other type is not
 * screened (null).
 */
export const clerkScreenInput = (event: ClerkEvent, svixId: string): ScreenInput | null => {
  if (event.type !== CLERK_SCREENED_TYPE) return null;
  const { data } = event;
  const ip = present(event.event_attributes?.http_request?.client_ip);
  return {
    source: 'clerk',
    sourceRef: svixId,
    subjectRef: subjectRef(data.id),
    email: present(primary(data.email_addresses, data.primary_email_address_id)?.email_address),
    phone: present(primary(data.phone_numbers, data.primary_phone_number_id)?.phone_number),
    ip: ip === null || UNSPECIFIED_IPS.has(ip) ? null : ip,
  };
};
