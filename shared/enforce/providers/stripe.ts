/**
 * Stripe (docs/enforcement.md, docs/stripe.md): the customer's metadata `signup_gate_decision` becomes `block` (and
 * `allow` to undo), with `signup_gate_verdict_id`, through the official client and an idempotency key per intent.
 * The Radar block list needs the raw email, which signup-gate never keeps: only the webhook's own write-back, which
 * has the event in hand, adds it.
 */
import { getStripeClient, isTransientStripeError, isUsableStripeKey } from '../../stripe/client.js';
import { METADATA_DECISION, METADATA_VERDICT_ID } from '../../stripe/write-back.js';
import { type Account, type AccountProvider, EnforcementError, requireSubject } from '../port.js';

export interface StripeSettings {
  /** `STRIPE_API_KEY` (`sk_` or `rk_`); null when not set. */
  apiKey: () => Promise<string | null>;
  /** `STRIPE_API_BASE_URL` (tests). */
  baseUrl?: string | undefined;
}

const CUSTOMER_ID = /^cus_[A-Za-z0-9]{1,64}$/;

/** Stripe's error type (`StripePermissionError`, ...) as the code; never its message. */
const failureOf = (error: unknown): EnforcementError => {
  const e = error as { type?: unknown; statusCode?: unknown } | null;
  const code =
    typeof e?.statusCode === 'number'
      ? `http_${e.statusCode}`
      : typeof e?.type === 'string' && /^[A-Za-z]{1,64}$/.test(e.type)
        ? e.type
        : 'network';
  return new EnforcementError(code, isTransientStripeError(error));
};

export const createStripeProvider = (settings: StripeSettings): AccountProvider => {
  const write = async (account: Account, decision: 'block' | 'allow'): Promise<void> => {
    const customer = requireSubject(account, CUSTOMER_ID);
    const key = await settings.apiKey();
    if (!key || !isUsableStripeKey(key)) throw new EnforcementError('not_configured', false);
    try {
      await (await getStripeClient(key, settings.baseUrl)).customers.update(
        customer,
        { metadata: { [METADATA_DECISION]: decision, [METADATA_VERDICT_ID]: account.verdictId } },
        { idempotencyKey: `signup-gate-${account.idempotencyKey}` },
      );
    } catch (error) {
      throw failureOf(error);
    }
  };
  return {
    block: (account) => write(account, 'block'),
    unblock: (account) => write(account, 'allow'),
  };
};
