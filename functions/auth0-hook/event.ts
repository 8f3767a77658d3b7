/**
 * The body of `POST /hooks/auth0` (docs/auth0.md): the part of Auth0's `event` the shipped Actions send, in
 * Auth0's own field names, and its mapping to a screening. Pure: no I/O.
 */
import type { ScreenInput } from '../../shared/screening/screen.js';
import * as z from '../../shared/validation/zod.js';

/** The Actions that call the route; pre-user-registration sends no `trigger` (the original shape). */
export const AUTH0_TRIGGERS = ['pre-user-registration', 'post-login'] as const;

const text = z.nullish(z.string());
/** Auth0's `user_id` (`<provider>|<id>`): bounded, as it becomes the verdict's `subject_ref`. */
const userId = z.nullish(z.string().check(z.minLength(1), z.maxLength(255)));
/** Auth0 objects carry many more fields than we read: unknown keys pass, known ones must have the right type. */
const part = <T extends z.core.$ZodShape>(shape: T) => z.nullish(z.looseObject(shape));

/** The part of Auth0's pre-user-registration or post-login `event` we read; every field optional. */
export const auth0EventSchema = z.looseObject({
  trigger: z.nullish(z.enum(AUTH0_TRIGGERS)),
  user: part({ email: text, phone_number: text, username: text, user_id: userId }),
  request: part({ ip: text, user_agent: text, geoip: part({ countryCode: text }) }),
  connection: part({ name: text, strategy: text }),
  client: part({ client_id: text }),
  tenant: part({ id: text }),
  transaction: part({ id: text }),
});
export type Auth0Event = z.infer<typeof auth0EventSchema>;

/**
 * What one Auth0 event screens: email and phone, the client IP (velocity), the Idempotency-Key as
 * `source_ref`, and, for a post-login event only, Auth0's `user_id` as `subject_ref` (pre-user-registration
 * runs before the user exists, so it has none).
 */
export const auth0ScreenInput = (event: Auth0Event, idempotencyKey: string | null): ScreenInput => ({
  source: 'auth0',
  sourceRef: idempotencyKey,
  subjectRef: event.trigger === 'post-login' ? (event.user?.user_id ?? null) : null,
  email: event.user?.email,
  phone: event.user?.phone_number,
  ip: event.request?.ip ?? null,
});
