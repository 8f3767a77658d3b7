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

/** `POST /hooks/supabase` on block: Supabase Auth refuses the sign-up with this status and message. */
export const supabaseRejectionSchema = z.strictObject({
  error: z.strictObject({ http_code: z.literal(403), message: z.string() }),
});
