/**
 * Stripe's fraud reports on `POST /hooks/stripe` (docs/outcomes.md): a dispute for fraud, an early fraud warning, a
 * review closed as refunded for fraud label every verdict of the payment's customer `fraud` (source `stripe`), once
 * per event id. Needs `STRIPE_API_KEY` (the customer is read from the charge); without one the event is ignored.
 */
import type { Context } from 'hono';
import { errorName } from '../../shared/core/errors.js';
import type { AppEnv } from '../../shared/http/env.js';
import { ApiError } from '../../shared/http/errors.js';
import { markerExpiry } from '../../shared/markers/run-once.js';
import { labelMatching } from '../../shared/outcomes/label.js';
import { labelOnce } from '../../shared/outcomes/once.js';
import { resolveForSource } from '../../shared/policy/decide.js';
import type { AppDeps } from '../../shared/runtime/deps.js';
import { isTransientStripeError, isUsableStripeKey } from '../../shared/stripe/client.js';
import { customerOfPayment } from '../../shared/stripe/payment-customer.js';
import type { FraudReport, StripeEventEnvelope } from './events.js';

const unavailable = (what: string) =>
  new ApiError(
    503,
    'upstream_unavailable',
    `${what} is temporarily unavailable; Stripe will retry this event`,
  );

/** Whether a thrown value came from the `stripe` library (its errors carry a `Stripe…` type). */
const isStripeError = (error: unknown): boolean => {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.startsWith('Stripe');
};

/** Labels the customer's verdicts for one fraud report and answers `{ labelled, event_id, duplicate }`. */
export const handleFraudReport = async (
  d: AppDeps,
  c: Context<AppEnv>,
  event: StripeEventEnvelope,
  report: FraudReport,
): Promise<Response> => {
  const log = { event_id: event.id, event_type: event.type };
  let apiKey: string | null;
  try {
    apiKey = await d.stripeApiKey();
  } catch (error) {
    d.telemetry.warn('stripe fraud report postponed: the Stripe API key could not be read', {
      ...log,
      error: errorName(error),
    });
    throw unavailable('the Stripe API key');
  }
  if (!apiKey || !isUsableStripeKey(apiKey)) {
    d.telemetry.warn('stripe fraud report ignored: no usable STRIPE_API_KEY to read the charge with', log);
    return c.json({ ignored: true, event_id: event.id, event_type: event.type }, 200);
  }
  const key = apiKey;
  const policy = resolveForSource(await d.policy(), 'stripe');
  let result: { labelled: number; duplicate: boolean };
  try {
    result = await labelOnce(
      d,
      {
        scope: 'stripe',
        key: event.id,
        budgetMs: policy.budget_ms.stripe,
        expiresAt: markerExpiry(policy, d.now()),
      },
      async () => {
        const customer = await customerOfPayment(key, d.stripeApiBaseUrl, report, event.account ?? null);
        if (customer === null) {
          d.telemetry.info('stripe fraud report: the payment has no customer, nothing to label', log);
          return 0;
        }
        return labelMatching(
          { store: d.store, telemetry: d.telemetry, now: d.now, retentionDays: policy.retention_days },
          [{ kind: 'subject_ref', hash: d.hash('subject_ref', customer) }],
          { label: 'fraud', source: 'stripe', note: `${event.type} ${event.id}`, labelledBy: 'stripe' },
        );
      },
    );
  } catch (error) {
    if (!isStripeError(error)) throw error;
    const fields = { ...log, error: (error as { type?: string }).type ?? errorName(error) };
    if (isTransientStripeError(error)) {
      d.telemetry.warn('stripe fraud report postponed: Stripe did not answer', fields);
      throw unavailable('Stripe');
    }
    // A 4xx (the charge of another account, a key without read access) fails the same way again: answered 200 so
    // that Stripe stops, logged so that an operator who fixed the cause can resend the event from the Dashboard.
    d.telemetry.warn('stripe fraud report not labelled: Stripe refused to read the payment', fields);
    return c.json({ labelled: 0, event_id: event.id, duplicate: false }, 200);
  }
  d.telemetry.info('stripe fraud report labelled', { ...log, ...result });
  return c.json({ labelled: result.labelled, event_id: event.id, duplicate: result.duplicate }, 200);
};
