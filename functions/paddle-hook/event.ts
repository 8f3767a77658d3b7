/**
 * Paddle Billing webhook notifications (docs/paddle.md): the envelope `{ event_id, event_type, occurred_at,
 * notification_id, data }`, validated loosely, and the mapping of `customer.created` to a screening. Pure.
 */
import type { ScreenInput } from '../../shared/screening/screen.js';
import * as z from '../../shared/validation/zod.js';
import { opaqueId, present, runOnceKey, subjectRef, text } from '../provider-event.js';

export const PADDLE_SCREENED_TYPE = 'customer.created';

export const paddleEventSchema = z.looseObject({
  event_id: runOnceKey,
  event_type: z.string().check(z.minLength(1), z.maxLength(255)),
  occurred_at: text,
  notification_id: text,
  // Other types' `data` (transactions, subscriptions...) is any object; only a customer's fields are read.
  data: z.nullish(z.looseObject({ id: opaqueId, email: z.nullish(z.unknown()) })),
});
export type PaddleEvent = z.infer<typeof paddleEventSchema>;

/** The run-once key (Paddle keeps `event_id` across its retries) and `source_ref`. */
export const paddleRunOnceKey = (event: PaddleEvent): string => event.event_id;

/**
 * A `customer.created` with an email screens it, the customer id (`ctm_…`) as `subject_ref`; anything else —
 * another type, or a customer without an email — is not screened (null), and is answered as ignored.
 */
export const paddleScreenInput = (event: PaddleEvent): ScreenInput | null => {
  if (event.event_type !== PADDLE_SCREENED_TYPE) return null;
  const email = typeof event.data?.email === 'string' ? present(event.data.email) : null;
  if (email === null) return null;
  return {
    source: 'paddle',
    sourceRef: event.event_id,
    subjectRef: subjectRef(event.data?.id),
    email,
    phone: null,
    ip: null,
  };
};
