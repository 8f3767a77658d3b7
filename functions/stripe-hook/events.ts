/**
 * Which Stripe events are screened and where their email and phone live (docs/stripe.md):
 * `customer.created`, `customer.updated` when `email` or `phone` changed, and `checkout.session.completed`; and which
 * report fraud on a payment (docs/outcomes.md): a dispute for fraud, an early fraud warning, a review closed as
 * refunded for fraud.
 */
import * as z from '../../shared/validation/zod.js';

export const SCREENED_EVENT_TYPES = [
  'customer.created',
  'customer.updated',
  'checkout.session.completed',
] as const;
export type ScreenedEventType = (typeof SCREENED_EVENT_TYPES)[number];

const jsonObject = z.record(z.string(), z.unknown());

/** The parts of a snapshot Event envelope we rely on; every other field is kept as Stripe sent it. */
export const stripeEventSchema = z.looseObject({
  id: z.string().check(z.minLength(1), z.maxLength(255)),
  type: z.string().check(z.minLength(1), z.maxLength(255)),
  account: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(255)))),
  data: z.looseObject({
    object: jsonObject,
    previous_attributes: z.optional(z.nullable(jsonObject)),
  }),
});

export type StripeEventEnvelope = z.infer<typeof stripeEventSchema>;

/** What a screened event gives the use case. The raw values live only in memory, never in logs or the store. */
export interface EventSubject {
  email: string | null;
  phone: string | null;
  /** The Stripe customer (`cus_...`) the event is about, when it names one: the write-back target. */
  customerId: string | null;
}

export type Classification =
  | { screened: true; type: ScreenedEventType; subject: EventSubject }
  | { screened: false; why: 'unscreened_type' | 'no_contact_change' | 'no_identifiers' };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A non-blank string, or null (Stripe sends `null` or, rarely, `""` for an unset email or phone). */
const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim().length > 0 ? value : null;

/** A customer id, whether the field holds the id or (if ever expanded) the customer object. */
const customerIdOf = (value: unknown): string | null => {
  const id = isRecord(value) ? value.id : value;
  return typeof id === 'string' && id.startsWith('cus_') ? id : null;
};

const isScreenedType = (type: string): type is ScreenedEventType =>
  (SCREENED_EVENT_TYPES as readonly string[]).includes(type);

const subjectOf = (type: ScreenedEventType, object: Record<string, unknown>): EventSubject => {
  if (type === 'checkout.session.completed') {
    const details = isRecord(object.customer_details) ? object.customer_details : {};
    return {
      email: text(details.email),
      phone: text(details.phone),
      customerId: customerIdOf(object.customer),
    };
  }
  return { email: text(object.email), phone: text(object.phone), customerId: customerIdOf(object.id) };
};

/** Decides whether an event is screened and, if so, with which identifiers. Pure; reads only the envelope. */
export const classifyEvent = (event: StripeEventEnvelope): Classification => {
  const { type } = event;
  if (!isScreenedType(type)) return { screened: false, why: 'unscreened_type' };
  if (type === 'customer.updated') {
    const previous = event.data.previous_attributes ?? {};
    if (!('email' in previous) && !('phone' in previous))
      return { screened: false, why: 'no_contact_change' };
  }
  const subject = subjectOf(type, event.data.object);
  if (subject.email === null && subject.phone === null) return { screened: false, why: 'no_identifiers' };
  return { screened: true, type, subject };
};

/** The events that report a payment as fraud: their customer's verdicts are labelled `fraud` (docs/outcomes.md). */
export const LABEL_EVENT_TYPES = [
  'charge.dispute.created',
  'radar.early_fraud_warning.created',
  'review.closed',
] as const;
export type LabelEventType = (typeof LABEL_EVENT_TYPES)[number];

/** The payment a label event is about: its charge, else its PaymentIntent (a review of a PaymentIntent has no charge). */
export interface FraudReport {
  type: LabelEventType;
  charge: string | null;
  paymentIntent: string | null;
}

export type LabelClassification =
  | { label: true; report: FraudReport }
  | { label: false; why: 'not_fraud' | 'no_payment' };

const isLabelType = (type: string): type is LabelEventType =>
  (LABEL_EVENT_TYPES as readonly string[]).includes(type);

/** An id, whether the field holds the id or (if ever expanded) the object, with the expected prefix. */
const idOf = (value: unknown, prefix: string): string | null => {
  const id = isRecord(value) ? value.id : value;
  return typeof id === 'string' && id.startsWith(prefix) ? id : null;
};

/** Whether the event says fraud: any early fraud warning; a dispute whose reason is `fraudulent`; a review closed as `refunded_as_fraud`. */
const saysFraud = (type: LabelEventType, object: Record<string, unknown>): boolean => {
  if (type === 'charge.dispute.created') return object.reason === 'fraudulent';
  if (type === 'review.closed')
    return object.reason === 'refunded_as_fraud' || object.closed_reason === 'refunded_as_fraud';
  return true;
};

/** Null for an event that reports no fraud kind; else whether it labels, and the payment it is about. Pure. */
export const classifyLabelEvent = (event: StripeEventEnvelope): LabelClassification | null => {
  const { type } = event;
  if (!isLabelType(type)) return null;
  const object = event.data.object;
  if (!saysFraud(type, object)) return { label: false, why: 'not_fraud' };
  const charge = idOf(object.charge, 'ch_') ?? idOf(object.charge, 'py_');
  const paymentIntent = idOf(object.payment_intent, 'pi_');
  if (charge === null && paymentIntent === null) return { label: false, why: 'no_payment' };
  return { label: true, report: { type, charge, paymentIntent } };
};
