/**
 * The body of Supabase's `before-user-created` HTTP hook (docs/supabase.md): `{ metadata, user }`, validated
 * loosely (unknown fields pass, the fields we read must have the right type), and its mapping to a
 * screening. Pure: no I/O.
 */
import type { ScreenInput } from '../../shared/screening/screen.js';
import * as z from '../../shared/validation/zod.js';
import { asRunOnceKey } from '../provider-event.js';

export const BEFORE_USER_CREATED = 'before-user-created';

const text = z.nullish(z.string());
/** Supabase's user id (a UUID): bounded, as it becomes the verdict's `subject_ref`. */
const userId = z.nullish(z.string().check(z.maxLength(255)));
const part = <T extends z.core.$ZodShape>(shape: T) => z.nullish(z.looseObject(shape));

/** The part of the payload we read; another hook's payload (its `metadata.name`) is refused. */
export const supabaseEventSchema = z.looseObject({
  metadata: part({
    uuid: text,
    time: text,
    name: z.nullish(z.literal(BEFORE_USER_CREATED)),
    ip_address: text,
  }),
  user: part({ id: userId, email: text, phone: text, is_anonymous: z.nullish(z.boolean()) }),
});
export type SupabaseEvent = z.infer<typeof supabaseEventSchema>;

/** Supabase sends an absent email or phone as "" (its `auth.users` columns are never null in the payload). */
const nonEmpty = (value: string | null | undefined): string | null =>
  value === undefined || value === null || value.trim() === '' ? null : value;

/**
 * Supabase keeps phones as E.164 digits without the `+` (`15555550100`): give such a number its `+`, so it
 * is read as international rather than needing the policy's `default_country_code`.
 */
const supabasePhone = (value: string | null | undefined): string | null => {
  const phone = nonEmpty(value);
  if (phone === null) return null;
  return /^[1-9]\d{1,14}$/.test(phone) ? `+${phone}` : phone;
};

/**
 * The run-once key and `source_ref`: `metadata.uuid`, made once per sign-up attempt and the same on Supabase's
 * retries (each of which is signed under a new `webhook-id`); the verified `webhook-id` when the payload has no
 * usable uuid.
 */
export const supabaseRunOnceKey = (event: SupabaseEvent, webhookId: string): string =>
  asRunOnceKey(event.metadata?.uuid) ?? webhookId;

/**
 * What one before-user-created call screens: email and phone, the client IP (velocity), the run-once key
 * (`supabaseRunOnceKey`) as `source_ref`, and Supabase's user id as `subject_ref`.
 */
export const supabaseScreenInput = (event: SupabaseEvent, key: string): ScreenInput => ({
  source: 'supabase',
  sourceRef: key,
  subjectRef: nonEmpty(event.user?.id),
  email: nonEmpty(event.user?.email),
  phone: supabasePhone(event.user?.phone),
  ip: nonEmpty(event.metadata?.ip_address),
});
