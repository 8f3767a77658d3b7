/**
 * What the provider hooks answer (docs/auth0.md, docs/stripe.md, docs/supabase.md), as zod schemas: docs/openapi.json
 * is generated from them and test/openapi/answers.test.ts checks the hooks' real answers against it.
 */
import * as z from '../validation/zod.js';
import { verdictShape } from './verdict.js';

/** `POST /hooks/auth0`: the verdict plus the policy's `user_message` (shown by the Action on block). */
export const auth0AnswerSchema = z.strictObject({ ...verdictShape, user_message: z.string() });

/** `POST /hooks/stripe`, a screened event: the verdict, the event id, and whether it was a repeat delivery. */
export const stripeScreenedSchema = z.strictObject({
  ...verdictShape,
  event_id: z.string(),
  duplicate: z.boolean(),
});

/** `POST /hooks/stripe`, an event that is not screened (another type, no contact change, no identifiers). */
export const stripeIgnoredSchema = z.strictObject({
  ignored: z.literal(true),
  event_id: z.string(),
  event_type: z.string(),
});

export const stripeAnswerSchema = z.union([stripeScreenedSchema, stripeIgnoredSchema]);

/** `POST /hooks/supabase` on allow and review: an empty object lets the sign-up go on. */
export const supabaseContinueSchema = z.strictObject({});

/**
 * `POST /hooks/supabase` on block, answered with status 200: the `error` object makes Supabase Auth refuse the
 * sign-up with its `http_code` and message.
 */
export const supabaseRejectionSchema = z.strictObject({
  error: z.strictObject({ http_code: z.literal(403), message: z.string() }),
});

export const supabaseAnswerSchema = z.union([supabaseContinueSchema, supabaseRejectionSchema]);

/** `POST /hooks/okta`: Okta's registration inline hook answer (a command; on block also an error shown to the user). */
const oktaCommand = z.strictObject({
  type: z.literal('com.okta.action.update'),
  value: z.strictObject({ registration: z.enum(['ALLOW', 'DENY']) }),
});
export const oktaAnswerSchema = z.strictObject({
  commands: z.array(oktaCommand),
  error: z.optional(
    z.strictObject({
      errorSummary: z.string(),
      errorCauses: z.array(
        z.strictObject({
          errorSummary: z.string(),
          reason: z.literal('SIGNUP_GATE'),
          locationType: z.literal('body'),
          location: z.literal('data.userProfile.email'),
          domain: z.literal('end-user'),
        }),
      ),
    }),
  ),
});

/** `POST /hooks/kratos` on allow and review: an empty object (200). */
export const kratosContinueSchema = z.strictObject({});

/** `POST /hooks/kratos` on block (403): Ory Kratos's flow-interrupting error messages. */
export const kratosRejectionSchema = z.strictObject({
  messages: z.array(
    z.strictObject({
      instance_ptr: z.literal('#/traits/email'),
      messages: z.array(
        z.strictObject({ id: z.literal(4000001), text: z.string(), type: z.literal('error') }),
      ),
    }),
  ),
});

/** `POST /hooks/paddle`: like Stripe's, the verdict with the event id, or the event ignored. */
export const paddleAnswerSchema = z.union([stripeScreenedSchema, stripeIgnoredSchema]);

/** `POST /hooks/clerk`: the verdict, or the event ignored (`event_id` is the `svix-id`). */
export const clerkAnswerSchema = z.union([z.strictObject(verdictShape), stripeIgnoredSchema]);

/** `POST /hooks/firebase`: the verdict plus the policy's `user_message` (thrown by the forwarder on block). */
export const firebaseAnswerSchema = z.strictObject({ ...verdictShape, user_message: z.string() });

/** `POST /hooks/workos`: WorkOS's signed registration Action response. */
export const workosAnswerSchema = z.strictObject({
  object: z.literal('user_registration_action_response'),
  payload: z.strictObject({
    timestamp: z.number(),
    verdict: z.enum(['Allow', 'Deny']),
    error_message: z.optional(z.string()),
  }),
  signature: z.string(),
});
