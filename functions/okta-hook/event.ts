/**
 * The body of Okta's registration inline hook (docs/okta.md): `{ eventId, eventType, requestType, data: {
 * userProfile, context: { request: { ipAddress } } } }`, validated loosely, and its mapping to a screening.
 * Pure: no I/O.
 */
import type { ScreenInput } from '../../shared/screening/screen.js';
import * as z from '../../shared/validation/zod.js';
import { part, present, runOnceKey, text } from '../provider-event.js';

export const OKTA_PRE_REGISTRATION = 'com.okta.user.pre-registration';

/** The part of the request we read; another inline hook's payload (its `eventType`) is refused. */
export const oktaEventSchema = z.looseObject({
  eventId: runOnceKey,
  eventType: z.nullish(z.literal(OKTA_PRE_REGISTRATION)),
  requestType: text,
  data: part({
    userProfile: part({ email: text, mobilePhone: text, login: text }),
    context: part({ request: part({ ipAddress: text }) }),
  }),
});
export type OktaEvent = z.infer<typeof oktaEventSchema>;

/** The run-once key and `source_ref`: Okta's id of this hook call. */
export const oktaRunOnceKey = (event: OktaEvent): string => event.eventId;

/**
 * What one registration screens: the profile's `email` (else its `login` when that is an address, Okta's
 * default username), `mobilePhone`, and the client's IP. The user does not exist yet: no `subject_ref`. A
 * progressive-profile call (`requestType: progressive.profile`) carries no `userProfile` and screens nothing.
 */
export const oktaScreenInput = (event: OktaEvent): ScreenInput => {
  const profile = event.data?.userProfile;
  const login = present(profile?.login);
  return {
    source: 'okta',
    sourceRef: event.eventId,
    subjectRef: null,
    email: present(profile?.email) ?? (login?.includes('@') ? login : null),
    phone: present(profile?.mobilePhone),
    ip: present(event.data?.context?.request?.ipAddress),
  };
};
