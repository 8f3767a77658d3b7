/**
 * Amazon Cognito's pre sign-up trigger event (docs/cognito.md) for its three sources — `PreSignUp_SignUp`,
 * `PreSignUp_AdminCreateUser`, `PreSignUp_ExternalProvider` — validated loosely, and its mapping to a
 * screening. Pure: no I/O.
 */
import type { ScreenInput } from '../../shared/screening/screen.js';
import * as z from '../../shared/validation/zod.js';

export const PRE_SIGN_UP_SOURCES = [
  'PreSignUp_SignUp',
  'PreSignUp_AdminCreateUser',
  'PreSignUp_ExternalProvider',
] as const;

const text = z.nullish(z.string());
const stringMap = z.nullish(z.record(z.string(), z.string()));
const part = <T extends z.core.$ZodShape>(shape: T) => z.nullish(z.looseObject(shape));

/**
 * The event as Cognito sends it. Unknown fields pass; the fields we read must have the right type. Any
 * `PreSignUp_*` source is screened (a future one too); another trigger's event is refused.
 */
export const cognitoPreSignUpSchema = z.looseObject({
  version: text,
  region: text,
  userPoolId: text,
  userName: text,
  triggerSource: z
    .string()
    .check(z.regex(/^PreSignUp_[A-Za-z]{1,64}$/, 'expected a pre sign-up trigger source (PreSignUp_...)')),
  callerContext: part({ awsSdkVersion: text, clientId: text }),
  request: z.looseObject({
    userAttributes: z.looseObject({ email: text, phone_number: text }),
    validationData: stringMap,
    clientMetadata: stringMap,
  }),
  response: part({}),
});
export type CognitoPreSignUpEvent = z.infer<typeof cognitoPreSignUpSchema>;

/** An email, or something a phone number could be written as (`+33 6 12…`, `0612…`): never a subject_ref. */
const PHONE_LIKE = /^\+?[\d\s().-]{6,}$/;
export const isContactLike = (value: string): boolean => value.includes('@') || PHONE_LIKE.test(value.trim());

/**
 * Cognito's `userName` as `subject_ref`: the user's opaque id in the pool (a `sub` UUID, `Google_1234…` for a
 * federated user, or a chosen username), unless it is an email or phone number (pools that sign in with
 * those), which must never be stored.
 */
export const cognitoSubjectRef = (userName: string | null | undefined): string | null => {
  const value = userName?.trim() ?? '';
  if (value === '' || value.length > 255 || isContactLike(value)) return null;
  return value;
};

/** A user pool id as Cognito writes it (`<region>_<id>`); anything else is not kept. */
const USER_POOL_ID = /^[a-z]{2}(?:-[a-z]+)+-\d_[0-9A-Za-z]{1,55}$/;

/**
 * What one pre sign-up event screens: `email` and `phone_number` from `request.userAttributes` (Cognito
 * keeps phones in E.164 with their `+`), `userName` as `subject_ref`; Cognito gives no id of its own for the
 * event (no `source_ref`) and no client IP. The user pool is kept with the verdict (never returned) so a later block
 * can disable the user there (docs/enforcement.md).
 */
export const cognitoScreenInput = (event: CognitoPreSignUpEvent): ScreenInput => {
  const userPoolId = event.userPoolId?.trim() ?? '';
  return {
    source: 'cognito',
    sourceRef: null,
    subjectRef: cognitoSubjectRef(event.userName),
    email: event.request.userAttributes.email,
    phone: event.request.userAttributes.phone_number,
    ...(USER_POOL_ID.test(userPoolId) ? { account: { userPoolId } } : {}),
  };
};
