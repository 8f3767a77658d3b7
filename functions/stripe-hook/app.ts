/**
 * `POST /hooks/stripe` (docs/stripe.md): verifies `Stripe-Signature` over the raw body with the official library,
 * screens `customer.created`, `customer.updated` (email or phone changed) and `checkout.session.completed`
 * once per event id, answers 503 on a retryable Defastra failure (Stripe's retry is the backoff) and, when
 * the policy asks for it, writes review and block decisions back into Stripe. Fraud reports (disputes for fraud,
 * early fraud warnings, reviews refunded as fraud) label the customer's verdicts (labels.ts, docs/outcomes.md).
 *
 * Checks run in the contract's order (docs/api.md): 404/405, 413, signature (400 `invalid_signature`), 415, then
 * 400 `invalid_json` / `invalid_request`.
 */
import type { Context, Hono } from 'hono';
import { errorName } from '../../shared/core/errors.js';
import type { Verdict } from '../../shared/core/verdict.js';
import { createBaseApp } from '../../shared/http/app-base.js';
import { parseJson, readBody } from '../../shared/http/body.js';
import type { AppEnv } from '../../shared/http/env.js';
import { ApiError } from '../../shared/http/errors.js';
import { allowOnly } from '../../shared/http/methods.js';
import { validate } from '../../shared/http/validation.js';
import { verifySignature } from '../../shared/http/verify-signature.js';
import type { Telemetry } from '../../shared/observability/telemetry.js';
import type { ResolvedPolicy } from '../../shared/policy/schema.js';
import type { AppDeps, DepsProvider } from '../../shared/runtime/deps.js';
import { RetryableScreeningError } from '../../shared/screening/screen.js';
import { type ScreenOnceResult, screenOnce } from '../../shared/screening/screen-once.js';
import type { WriteBackState } from '../../shared/store/ports.js';
import { getStripeClient, isUsableStripeKey } from '../../shared/stripe/client.js';
import { performWriteBack, planWriteBack, type WriteBackTarget } from '../../shared/stripe/write-back.js';
import { stripeVerifier } from '../../shared/webhooks/stripe.js';
import { pathOf } from '../routes.js';
import {
  classifyEvent,
  classifyLabelEvent,
  type EventSubject,
  type StripeEventEnvelope,
  stripeEventSchema,
} from './events.js';
import { handleFraudReport } from './labels.js';

export const STRIPE_HOOK_PATH = pathOf('stripe-hook');

const upstreamUnavailable = (what: string) =>
  new ApiError(
    503,
    'upstream_unavailable',
    `${what} is temporarily unavailable; Stripe will retry this event`,
  );

/** The verified JSON body as an event envelope, or 400 `invalid_request`. */
const toEnvelope = (payload: unknown): StripeEventEnvelope => {
  if ((payload as { object?: unknown } | null)?.object === 'v2.core.event') {
    throw new ApiError(
      400,
      'invalid_request',
      'thin event notifications are not supported; send snapshot events to this endpoint',
    );
  }
  return validate(stripeEventSchema, payload);
};

const writeBackTarget = (
  event: StripeEventEnvelope,
  subject: EventSubject,
  verdict: Verdict,
): WriteBackTarget => ({
  verdict,
  customerId: subject.customerId,
  email: subject.email,
  account: event.account ?? null,
});

/** The marker's write-back state at completion: `pending` when the policy and the verdict call for one, else none. */
const initialWriteBack = (
  policy: ResolvedPolicy,
  event: StripeEventEnvelope,
  subject: EventSubject,
  verdict: Verdict,
): WriteBackState | undefined =>
  policy.stripe.write_back && planWriteBack(writeBackTarget(event, subject, verdict)) ? 'pending' : undefined;

/** What the write-back step is given: the verdict, where the marker stands, and the event's identifiers. */
interface WriteBackContext {
  d: AppDeps;
  policy: ResolvedPolicy;
  event: StripeEventEnvelope;
  subject: EventSubject;
  verdict: Verdict;
  /** `first` right after screening; otherwise the state read from the marker of a duplicate delivery. */
  state: 'first' | WriteBackState | undefined;
}

/**
 * The optional write-back, after the verdict is stored (the marker was completed as `pending` in the same write).
 * Done → the marker becomes `done`. A transient failure (network, Stripe 5xx or 429) throws 503
 * `upstream_unavailable`: the marker stays `pending` and Stripe's redelivery retries only the write-back. A permanent
 * failure (4xx, missing list) is logged and counted (alarmed) and answered 200; the marker stays `pending` too, so
 * an operator who fixed the cause can resend the event from the Stripe Dashboard.
 */
const writeBackIfDue = async ({
  d,
  policy,
  event,
  subject,
  verdict,
  state,
}: WriteBackContext): Promise<void> => {
  if (!policy.stripe.write_back) return;
  if (state !== 'first' && state !== 'pending') return;
  const target = writeBackTarget(event, subject, verdict);
  if (!planWriteBack(target)) return;
  const log = { event_id: event.id, verdict_id: verdict.verdict_id };
  let apiKey: string | null;
  try {
    apiKey = await d.stripeApiKey();
  } catch (error) {
    d.telemetry.writeBackFailed(false);
    d.telemetry.warn('stripe write-back postponed: the Stripe API key could not be read', {
      ...log,
      error: errorName(error),
    });
    throw upstreamUnavailable('the Stripe API key');
  }
  if (!apiKey) {
    d.telemetry.debug('stripe write-back skipped: no Stripe API key configured', log);
    return;
  }
  if (!isUsableStripeKey(apiKey)) {
    // E.g. the deploy-time placeholder still in the secret: calling Stripe with it would only fail.
    d.telemetry.warn('stripe write-back skipped: the Stripe API key is not an sk_ or rk_ key', log);
    return;
  }
  const outcome = await performWriteBack(target, {
    stripe: await getStripeClient(apiKey, d.stripeApiBaseUrl),
    blockListAlias: policy.stripe.block_list_alias,
    telemetry: d.telemetry,
  });
  if (outcome.status === 'done') {
    await d.store.markers.setWriteBack('stripe', event.id, 'done');
    return;
  }
  d.telemetry.writeBackFailed(!outcome.transient);
  if (outcome.transient) throw upstreamUnavailable('Stripe');
};

const handleEvent = async (d: AppDeps, c: Context<AppEnv>, event: StripeEventEnvelope): Promise<Response> => {
  const fraud = classifyLabelEvent(event);
  if (fraud?.label) return handleFraudReport(d, c, event, fraud.report);
  if (fraud) {
    d.telemetry.info('stripe event ignored', { event_id: event.id, event_type: event.type, why: fraud.why });
    return c.json({ ignored: true, event_id: event.id, event_type: event.type }, 200);
  }
  const classification = classifyEvent(event);
  if (!classification.screened) {
    d.telemetry.info('stripe event ignored', {
      event_id: event.id,
      event_type: event.type,
      why: classification.why,
    });
    return c.json({ ignored: true, event_id: event.id, event_type: event.type }, 200);
  }
  const { subject } = classification;
  let result: ScreenOnceResult;
  try {
    result = await screenOnce(d, {
      input: {
        source: 'stripe',
        sourceRef: event.id,
        subjectRef: subject.customerId,
        email: subject.email,
        phone: subject.phone,
      },
      // Constant per event: a redelivery is always a repeat, never a reused key (no 422 here).
      once: { key: event.id, body: `stripe-event:${event.id}` },
      options: { throwOnRetryable: true, retry: false },
      writeBackFor: (record, policy) => initialWriteBack(policy, event, subject, record.verdict),
    });
  } catch (error) {
    if (error instanceof RetryableScreeningError) {
      d.telemetry.warn('stripe event not screened: Defastra temporarily unavailable', {
        event_id: event.id,
        event_type: event.type,
        error_type: error.cause.type,
      });
      throw upstreamUnavailable('the screening provider');
    }
    throw error;
  }

  const { verdict, policy } = result;
  c.set('verdictId', verdict.verdict_id);
  if (result.replayed) {
    d.telemetry.setCorrelationId(verdict.verdict_id);
    d.telemetry.info('stripe event already screened', {
      event_id: event.id,
      verdict_id: verdict.verdict_id,
      write_back: result.writeBack ?? 'none',
    });
  }
  await writeBackIfDue({
    d,
    policy,
    event,
    subject,
    verdict,
    state: result.replayed ? result.writeBack : 'first',
  });
  return c.json({ ...verdict, event_id: event.id, duplicate: result.replayed }, 200);
};

/** Builds the Stripe webhook app; the local server and the Lambda handler mount the same one. */
export const createStripeHookApp = (deps: DepsProvider, telemetry?: Telemetry): Hono<AppEnv> => {
  const app = createBaseApp(telemetry);

  const signature = verifySignature(stripeVerifier, (d) => d.stripeWebhookSecrets(), deps);

  app.post(STRIPE_HOOK_PATH, readBody(), signature, parseJson(), async (c) => {
    const d = await deps();
    return handleEvent(d, c, toEnvelope(c.get('json')));
  });
  allowOnly(app, STRIPE_HOOK_PATH, ['POST']);

  return app;
};
