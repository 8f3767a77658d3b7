/**
 * The customer a payment belongs to, read from Stripe with the official client (docs/outcomes.md): the charge's
 * `customer`, or, for a report with no charge, its PaymentIntent's. The client is loaded when first needed, so a route that never asks never
 * loads the library.
 */
import type Stripe from 'stripe';

export interface PaymentRef {
  charge: string | null;
  paymentIntent: string | null;
}

/** A customer's id whether the field holds the id or an expanded customer; null for a guest payment. */
const customerIdOf = (
  value: string | Stripe.Customer | Stripe.DeletedCustomer | null | undefined,
): string | null => (typeof value === 'string' ? value : (value?.id ?? null));

/**
 * The customer id of the payment, or null when it has none (a guest checkout). `account` is the connected account
 * the event came from (Connect), whose objects only its `Stripe-Account` header reads. Stripe errors are thrown as
 * the library throws them (see `isTransientStripeError`).
 */
export const customerOfPayment = async (
  apiKey: string,
  baseUrl: string | undefined,
  payment: PaymentRef,
  account: string | null,
): Promise<string | null> => {
  const { getStripeClient } = await import('./client.js');
  const stripe = await getStripeClient(apiKey, baseUrl);
  const options = account ? { stripeAccount: account } : {};
  if (payment.charge) {
    const charge = await stripe.charges.retrieve(payment.charge, {}, options);
    return customerIdOf(charge.customer);
  }
  if (payment.paymentIntent === null) return null;
  const intent = await stripe.paymentIntents.retrieve(payment.paymentIntent, {}, options);
  return customerIdOf(intent.customer);
};
