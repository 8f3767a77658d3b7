/**
 * After a review (docs/reviews.md): a Stripe verdict's customer gets `signup_gate_decision` = `allow` (approve) or
 * `block` (reject) when `stripe.write_back` is on. Best effort: the review is stored whatever Stripe answers.
 */

import { errorName } from '../core/errors.js';
import { resolveForSource } from '../policy/decide.js';
import type { AppDeps } from '../runtime/deps.js';
import type { StoredVerdict } from '../store/ports.js';
import { getStripeClient, isTransientStripeError, isUsableStripeKey } from './client.js';
import { METADATA_DECISION, METADATA_VERDICT_ID } from './write-back.js';

/** The `stripeReview` step of a review for these deps; resolves once Stripe answered (or was not asked). */
export const stripeReviewWriteBack =
  (d: AppDeps) =>
  async (stored: StoredVerdict): Promise<void> => {
    const { verdict } = stored;
    const customerId = verdict.subject_ref;
    if (verdict.source !== 'stripe' || !verdict.review || !customerId?.startsWith('cus_')) return;
    if (verdict.mode === 'monitor') return; // nothing is written back for a monitored verdict
    if (!resolveForSource(await d.policy(), 'stripe').stripe.write_back) return;
    const log = { verdict_id: verdict.verdict_id };
    try {
      const apiKey = await d.stripeApiKey();
      if (!apiKey || !isUsableStripeKey(apiKey)) {
        d.telemetry.warn('stripe review write-back skipped: no usable Stripe API key', log);
        return;
      }
      const stripe = await getStripeClient(apiKey, d.stripeApiBaseUrl);
      await stripe.customers.update(
        customerId,
        {
          metadata: {
            [METADATA_DECISION]: verdict.review.outcome === 'approve' ? 'allow' : 'block',
            [METADATA_VERDICT_ID]: verdict.verdict_id,
          },
        },
        { idempotencyKey: `signup-gate-${verdict.verdict_id}-review-${verdict.review.reviewed_at}` },
      );
      d.telemetry.info('stripe review write-back done', log);
    } catch (error) {
      const permanent = !isTransientStripeError(error);
      d.telemetry.writeBackFailed(permanent);
      d.telemetry.warn('stripe review write-back failed', {
        ...log,
        permanent,
        error: (error as { type?: string } | null)?.type ?? errorName(error),
      });
    }
  };
