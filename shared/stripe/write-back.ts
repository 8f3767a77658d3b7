/**
 * The optional write-back into Stripe (docs/stripe.md), through the official client: on `review` or `block` the
 * customer gets metadata `signup_gate_decision` / `signup_gate_verdict_id`; on `block` the email also goes into
 * the Radar value list named by `stripe.block_list_alias`. Every POST carries an idempotency key derived from
 * the verdict id, so a retried write-back (the next delivery of the event) repeats nothing. The raw email
 * comes from the event in memory and is neither stored nor logged; errors are reported without Stripe's
 * message text (it may quote what was sent).
 */
import type Stripe from 'stripe';
import type { Decision } from '../core/levels.js';
import type { Verdict } from '../core/verdict.js';
import type { Telemetry } from '../observability/telemetry.js';
import { normaliseEmail } from '../policy/identifiers.js';
import { isTransientStripeError } from './client.js';

export const METADATA_DECISION = 'signup_gate_decision';
export const METADATA_VERDICT_ID = 'signup_gate_verdict_id';

export interface WriteBackTarget {
  verdict: Pick<Verdict, 'verdict_id' | 'decision' | 'action'>;
  /** `cus_...` when the event names a customer. */
  customerId: string | null;
  /** The raw email from the event (memory only); used for the block list. */
  email: string | null;
  /** The connected account (`event.account`) for Connect events: the write goes to that account. */
  account?: string | null | undefined;
}

export interface WriteBackPlan {
  customer: boolean;
  blockList: boolean;
  /** The value sent to the block list: the trimmed, lowercased email. */
  listValue: string | null;
}

export type WriteBackOutcome =
  | { status: 'done'; customer: boolean; blockList: boolean }
  | {
      status: 'failed';
      step: 'customer' | 'block_list_lookup' | 'block_list_item';
      reason: string;
      /** Network, Stripe 5xx or 429: worth Stripe's redelivery. Otherwise (4xx, missing list) it would fail again. */
      transient: boolean;
    };

/** Whether a decision is written back at all. */
export const writesBack = (decision: Decision): boolean => decision === 'review' || decision === 'block';

/** What a verdict asks of Stripe; `null` when there is nothing to write (allow, or no customer and no email). */
export const planWriteBack = (target: WriteBackTarget): WriteBackPlan | null => {
  // What the verdict asks for: nothing for a monitored verdict (its action is allow).
  const { action: decision } = target.verdict;
  if (!writesBack(decision)) return null;
  const listValue = decision === 'block' && target.email !== null ? normaliseEmail(target.email) : null;
  const plan: WriteBackPlan = {
    customer: target.customerId !== null,
    blockList: listValue !== null,
    listValue,
  };
  return plan.customer || plan.blockList ? plan : null;
};

/** The idempotency key of one write-back POST: the same verdict always sends the same key. */
export const idempotencyKey = (verdictId: string, step: 'customer' | 'block-list'): string =>
  `signup-gate-${verdictId}-${step}`;

/** Value-list ids by alias (and account), per client: looked up once, never created. */
const listIds = new WeakMap<Stripe, Map<string, Promise<string | null>>>();

/** Thrown inside the write-back when the alias names no list; reported as a failed lookup. */
class MissingListError extends Error {
  override readonly name = 'MissingListError';
}

const findValueListId = (stripe: Stripe, alias: string, account: string | null): Promise<string | null> => {
  let byAlias = listIds.get(stripe);
  if (!byAlias) {
    byAlias = new Map();
    listIds.set(stripe, byAlias);
  }
  const cacheKey = `${account ?? ''}\n${alias}`;
  const known = byAlias.get(cacheKey);
  if (known) return known;
  const lookup = stripe.radar.valueLists
    .list({ alias, limit: 1 }, account ? { stripeAccount: account } : undefined)
    .then((page) => page.data.find((list) => list.alias === alias)?.id ?? null);
  byAlias.set(cacheKey, lookup);
  // A failed or empty lookup is not remembered: the list may be created, or Stripe may answer next time.
  const map = byAlias;
  lookup.then(
    (id) => {
      if (id === null) map.delete(cacheKey);
    },
    () => map.delete(cacheKey),
  );
  return lookup;
};

/** Forgets every cached list id (tests). */
export const clearValueListCache = (stripe: Stripe): void => {
  listIds.delete(stripe);
};

/** Fields of a Stripe (or other) error that are safe to log: never its message. */
const describe = (error: unknown): Record<string, unknown> => {
  if (error instanceof MissingListError) return { error: error.name };
  const e = error as {
    type?: unknown;
    code?: unknown;
    statusCode?: unknown;
    requestId?: unknown;
    name?: unknown;
  };
  return {
    error: typeof e.type === 'string' ? e.type : typeof e.name === 'string' ? e.name : 'unknown',
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.statusCode === 'number' ? { status: e.statusCode } : {}),
    ...(typeof e.requestId === 'string' ? { stripe_request_id: e.requestId } : {}),
  };
};

/** Stripe's answer when the value is already in the list: the goal is met. */
const isAlreadyListed = (error: unknown): boolean =>
  (error as { code?: unknown }).code === 'resource_already_exists';

export interface WriteBackOptions {
  stripe: Stripe;
  blockListAlias: string;
  telemetry: Telemetry;
}

/**
 * Performs the write-back for one verdict. Never throws: a failure is logged (no PII) and returned with whether it
 * is transient, so the caller can answer 503 (the marker stays `pending` and Stripe's redelivery tries again) or
 * count a permanent failure.
 */
export const performWriteBack = async (
  target: WriteBackTarget,
  options: WriteBackOptions,
): Promise<WriteBackOutcome> => {
  const plan = planWriteBack(target);
  if (!plan) return { status: 'done', customer: false, blockList: false };
  const { stripe, telemetry } = options;
  const { verdict_id: verdictId, decision } = target.verdict;
  const account = target.account ?? null;
  const requestOptions = (step: 'customer' | 'block-list'): Stripe.RequestOptions => ({
    idempotencyKey: idempotencyKey(verdictId, step),
    ...(account ? { stripeAccount: account } : {}),
  });
  const fail = (
    step: 'customer' | 'block_list_lookup' | 'block_list_item',
    error: unknown,
  ): WriteBackOutcome => {
    const fields = describe(error);
    const transient = !(error instanceof MissingListError) && isTransientStripeError(error);
    telemetry.warn('stripe write-back failed', { verdict_id: verdictId, step, transient, ...fields });
    return { status: 'failed', step, reason: String(fields.error), transient };
  };

  if (plan.customer && target.customerId) {
    try {
      await stripe.customers.update(
        target.customerId,
        { metadata: { [METADATA_DECISION]: decision, [METADATA_VERDICT_ID]: verdictId } },
        requestOptions('customer'),
      );
    } catch (error) {
      return fail('customer', error);
    }
  }

  if (plan.blockList && plan.listValue) {
    let listId: string | null;
    try {
      listId = await findValueListId(stripe, options.blockListAlias, account);
    } catch (error) {
      return fail('block_list_lookup', error);
    }
    if (listId === null) {
      telemetry.warn('stripe block list not found; create it in the Dashboard (Radar → Lists)', {
        verdict_id: verdictId,
        alias: options.blockListAlias,
      });
      return fail('block_list_lookup', new MissingListError());
    }
    try {
      await stripe.radar.valueListItems.create(
        { value_list: listId, value: plan.listValue },
        requestOptions('block-list'),
      );
    } catch (error) {
      if (!isAlreadyListed(error)) return fail('block_list_item', error);
    }
  }

  telemetry.info('stripe write-back done', {
    verdict_id: verdictId,
    decision,
    customer: plan.customer,
    block_list: plan.blockList,
  });
  return { status: 'done', customer: plan.customer, blockList: plan.blockList };
};
