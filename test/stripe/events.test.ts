/** Which Stripe events are screened and where their identifiers come from (pure, no I/O). */
import { describe, expect, it } from 'vitest';
import {
  classifyEvent,
  classifyLabelEvent,
  type StripeEventEnvelope,
  stripeEventSchema,
} from '../../functions/stripe-hook/events.js';
import {
  checkoutCompleted,
  customerCreated,
  customerUpdated,
  disputeCreated,
  earlyFraudWarningCreated,
  invoicePaid,
  reviewClosed,
  stripeEvent,
} from './fixtures/events.js';

const parse = (event: Record<string, unknown>): StripeEventEnvelope => stripeEventSchema.parse(event);

describe('classifyEvent', () => {
  it('takes email and phone of customer.created, and the customer id', () => {
    const event = parse(customerCreated({ id: 'cus_Abc123', email: 'a@example.com', phone: '+33612345678' }));
    expect(classifyEvent(event)).toEqual({
      screened: true,
      type: 'customer.created',
      subject: { email: 'a@example.com', phone: '+33612345678', customerId: 'cus_Abc123' },
    });
  });

  it.each([[{ email: 'old@example.com' }], [{ phone: null }], [{ email: null, name: 'Old' }]])(
    'screens customer.updated when previous_attributes is %j',
    (previous) => {
      const result = classifyEvent(parse(customerUpdated({ email: 'new@example.com' }, previous)));
      expect(result).toMatchObject({ screened: true, subject: { email: 'new@example.com' } });
    },
  );

  it.each([[{ name: 'Old Name' }], [{ metadata: { plan: 'pro' } }], [{}]])(
    'ignores customer.updated when previous_attributes is %j',
    (previous) => {
      expect(classifyEvent(parse(customerUpdated({ email: 'x@example.com' }, previous)))).toEqual({
        screened: false,
        why: 'no_contact_change',
      });
    },
  );

  it('ignores customer.updated without previous_attributes', () => {
    const event = parse(stripeEvent('customer.updated', { id: 'cus_1', email: 'x@example.com' }));
    expect(classifyEvent(event)).toEqual({ screened: false, why: 'no_contact_change' });
  });

  it('takes checkout.session.completed identifiers from customer_details, not customer_email', () => {
    const session = checkoutCompleted({
      email: 'final@example.com',
      phone: '+14155552671',
      customer: 'cus_Z9',
    });
    ((session.data as { object: Record<string, unknown> }).object as Record<string, unknown>).customer_email =
      'prefill@example.com';
    expect(classifyEvent(parse(session))).toEqual({
      screened: true,
      type: 'checkout.session.completed',
      subject: { email: 'final@example.com', phone: '+14155552671', customerId: 'cus_Z9' },
    });
  });

  it('has no customer id for a guest checkout', () => {
    const result = classifyEvent(parse(checkoutCompleted({ email: 'guest@example.com', customer: null })));
    expect(result).toMatchObject({ screened: true, subject: { customerId: null } });
  });

  it.each([
    ['invoice.paid', invoicePaid()],
    [
      'payment_intent.succeeded',
      stripeEvent('payment_intent.succeeded', { id: 'pi_1', receipt_email: 'a@b.co' }),
    ],
    [
      'checkout.session.expired',
      stripeEvent('checkout.session.expired', { customer_details: { email: 'a@b.co' } }),
    ],
  ])('ignores %s', (_type, event) => {
    expect(classifyEvent(parse(event))).toEqual({ screened: false, why: 'unscreened_type' });
  });

  it.each([
    ['nulls', customerCreated({ email: null, phone: null })],
    ['blank strings', customerCreated({ email: '  ', phone: '' })],
    [
      'no customer_details',
      stripeEvent('checkout.session.completed', { id: 'cs_1', customer_details: null }),
    ],
  ])('ignores an event whose identifiers are %s', (_name, event) => {
    expect(classifyEvent(parse(event))).toEqual({ screened: false, why: 'no_identifiers' });
  });

  it('keeps fields it does not know (Stripe adds fields over time)', () => {
    const event = parse({ ...customerCreated({ email: 'a@example.com' }), brand_new_field: 1 });
    expect(event).toHaveProperty('brand_new_field', 1);
  });
});

describe('classifyLabelEvent', () => {
  it('labels the three fraud reports with the payment they are about', () => {
    expect(classifyLabelEvent(parse(disputeCreated({ charge: 'ch_1A', paymentIntent: 'pi_1A' })))).toEqual({
      label: true,
      report: { type: 'charge.dispute.created', charge: 'ch_1A', paymentIntent: 'pi_1A' },
    });
    expect(classifyLabelEvent(parse(earlyFraudWarningCreated({ charge: 'ch_1B' })))).toMatchObject({
      label: true,
      report: { charge: 'ch_1B', paymentIntent: null },
    });
    expect(classifyLabelEvent(parse(reviewClosed({ charge: null, paymentIntent: 'pi_1C' })))).toMatchObject({
      label: true,
      report: { type: 'review.closed', charge: null, paymentIntent: 'pi_1C' },
    });
  });

  it('reads an expanded charge, and a review that says refunded_as_fraud in either field', () => {
    const expanded = disputeCreated({ charge: 'ch_1D' });
    (expanded.data as { object: Record<string, unknown> }).object.charge = { id: 'ch_1D', object: 'charge' };
    expect(classifyLabelEvent(parse(expanded))).toMatchObject({ report: { charge: 'ch_1D' } });
    const older = reviewClosed({ charge: 'ch_1E' }, 'refunded');
    (older.data as { object: Record<string, unknown> }).object.reason = 'refunded_as_fraud';
    expect(classifyLabelEvent(parse(older))).toMatchObject({ label: true });
  });

  it('does not label other disputes and reviews, or a report without a payment; other types are not reports', () => {
    for (const reason of ['product_not_received', 'duplicate', 'general']) {
      expect(classifyLabelEvent(parse(disputeCreated({ charge: 'ch_1F' }, reason)))).toEqual({
        label: false,
        why: 'not_fraud',
      });
    }
    expect(classifyLabelEvent(parse(reviewClosed({ charge: 'ch_1G' }, 'approved')))).toEqual({
      label: false,
      why: 'not_fraud',
    });
    expect(classifyLabelEvent(parse(earlyFraudWarningCreated({ charge: null })))).toEqual({
      label: false,
      why: 'no_payment',
    });
    expect(classifyLabelEvent(parse(customerCreated({ email: 'a@example.com' })))).toBeNull();
    expect(classifyLabelEvent(parse(invoicePaid()))).toBeNull();
  });
});
