/**
 * `POST /hooks/stripe` (design 1.6): verifies `Stripe-Signature` over the raw body with the official library,
 * screens `customer.created`, `customer.updated` (email or phone changed) and `checkout.session.completed`
 * once per event id, answers 503 on a retryable Defastra failure (Stripe's retry is the backoff) and, when
 * the policy asks for it, writes review and block decisions back into Stripe.
 *
 * Checks run in the contract's order (1.3): 404/405, 413, signature (400 `invalid_signature`), 415, then
 * 400 `invalid_json` / `invalid_request`.
 */
import type { Context, Hono } from 'hono';
import Stripe from 'stripe';
import { createBaseApp } from '../../shared/http/app-base.js';
import { isJsonMediaType, readBody } from '../../shared/http/body.js';
import type { AppEnv } from '../../shared/http/env.js';
import { ApiError } from '../../shared/http/errors.js';
import { markerExpiry, runOnce } from '../../shared/http/idempotency.js';
import { allowOnly } from '../../shared/http/methods.js';
import { validate } from '../../shared/http/validation.js';
import type { Telemetry } from '../../shared/observability/telemetry.js';
import { resolveForSource } from '../../shared/policy/decide.js';
import type { ResolvedPolicy } from '../../shared/policy/schema.js';
import type { AppDeps, DepsProvider } from '../../shared/runtime/deps.js';
import { bodyHash } from '../../shared/screening/hashing.js';
import {
  prefetchCachedResults,
  RetryableScreeningError,
  type ScreenInput,
  screen,
} from '../../shared/screening/screen.js';
import type { Verdict } from '../../shared/screening/verdict.js';
import type { WriteBackState } from '../../shared/store/port.js';
import { getStripeClient } from '../../shared/stripe/client.js';
import { performWriteBack, planWriteBack, type WriteBackTarget } from '../../shared/stripe/write-back.js';
import { classifyEvent, type EventSubject, type StripeEventEnvelope, stripeEventSchema } from './events.js';

export const STRIPE_HOOK_PATH = '/hooks/stripe';
/** Secret (`sk_`) and restricted (`rk_`) keys; anything else is not a usable write-back key. */
const STRIPE_KEY = /^(sk|rk)_(test|live)_[A-Za-z0-9]+$/;
/** Maximum age of a signature, in seconds: the library's default, passed explicitly. */
export const SIGNATURE_TOLERANCE_S = 300;

type Verification =
  /** A secret matched and the payload parsed as an event. */
  | { payload: unknown }
  /** A secret matched but the payload is not a snapshot event: not JSON, or a thin event notification. */
  | { parseError: 'invalid_json' | 'not_snapshot' };

const invalidSignature = () =>
  new ApiError(
    400,
    'invalid_signature',
    'the Stripe-Signature header does not verify with any active secret',
  );

/**
 * Tries each active signing secret with `Stripe.webhooks.constructEvent` over the raw bytes. Throws 400
 * `invalid_signature` when none verifies (also for a missing header, a stale timestamp or an altered body).
 */
const verifySignature = async (
  d: AppDeps,
  raw: Uint8Array,
  header: string | undefined,
): Promise<Verification> => {
  if (!header) throw invalidSignature();
  const secrets = await d.stripeWebhookSecrets();
  if (secrets.length === 0) {
    d.telemetry.error('no Stripe webhook signing secret is configured');
    throw invalidSignature();
  }
  const receivedAt = d.now();
  for (const secret of secrets) {
    try {
      const payload: unknown = Stripe.webhooks.constructEvent(
        raw,
        header,
        secret,
        SIGNATURE_TOLERANCE_S,
        undefined,
        receivedAt,
      );
      return { payload };
    } catch (error) {
      if (error instanceof Stripe.errors.StripeSignatureVerificationError) continue;
      // The signature verified (the library parses only afterwards), but the body is not a snapshot event.
      return { parseError: error instanceof SyntaxError ? 'invalid_json' : 'not_snapshot' };
    }
  }
  throw invalidSignature();
};

/** The verified body as an event envelope, or 400 `invalid_json` / `invalid_request`. */
const toEnvelope = (verification: Verification): StripeEventEnvelope => {
  if ('parseError' in verification) {
    if (verification.parseError === 'invalid_json') {
      throw new ApiError(400, 'invalid_json', 'request body is not valid JSON');
    }
    throw new ApiError(
      400,
      'invalid_request',
      'thin event notifications are not supported; send snapshot events to this endpoint',
    );
  }
  return validate(stripeEventSchema, verification.payload);
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
 * The optional write-back. Runs after the verdict is stored; the marker was completed as `pending` in the same
 * write, becomes `done` after success, and a failure is logged and left `pending` for the next delivery.
 * Never throws.
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
  try {
    const apiKey = await d.stripeApiKey();
    if (!apiKey) {
      d.telemetry.debug('stripe write-back skipped: no Stripe API key configured', log);
      return;
    }
    if (!STRIPE_KEY.test(apiKey)) {
      // E.g. the deploy-time placeholder still in the secret: calling Stripe with it would only fail.
      d.telemetry.warn('stripe write-back skipped: the Stripe API key is not an sk_ or rk_ key', log);
      return;
    }
    const stripe = getStripeClient(apiKey, d.stripeApiBaseUrl);
    const outcome = await performWriteBack(target, {
      stripe,
      blockListAlias: policy.stripe.block_list_alias,
      telemetry: d.telemetry,
    });
    if (outcome.status === 'done') await d.store.setWriteBack('stripe', event.id, 'done');
  } catch (error) {
    d.telemetry.warn('stripe write-back failed', { ...log, error: (error as Error).name ?? 'unknown' });
  }
};

const handleEvent = async (d: AppDeps, c: Context<AppEnv>, event: StripeEventEnvelope): Promise<Response> => {
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
  const policy = resolveForSource(d.policy, 'stripe');
  const input: ScreenInput = {
    source: 'stripe',
    sourceRef: event.id,
    email: subject.email,
    phone: subject.phone,
  };
  const prefetch = prefetchCachedResults(d, d.policy, input); // overlaps the claim below
  let result: Awaited<ReturnType<typeof runOnce>>;
  try {
    result = await runOnce(
      d.store,
      {
        scope: 'stripe',
        key: event.id,
        // Constant per event: a redelivery is always a repeat, never a reused key (no 422 here).
        bodyHash: bodyHash(`stripe-event:${event.id}`),
        budgetMs: policy.budget_ms.stripe,
        expiresAt: markerExpiry(policy, d.now()),
      },
      () => screen(d, d.policy, input, { throwOnRetryable: true, retry: false, prefetch }),
      (record) => initialWriteBack(policy, event, subject, record.verdict),
    );
  } catch (error) {
    if (error instanceof RetryableScreeningError) {
      d.telemetry.warn('stripe event not screened: Defastra temporarily unavailable', {
        event_id: event.id,
        event_type: event.type,
        error_type: error.cause.type,
      });
      throw new ApiError(
        503,
        'upstream_unavailable',
        'the screening provider is temporarily unavailable; Stripe will retry this event',
      );
    }
    throw error;
  }

  const verdict = result.replayed ? result.verdict : result.record.verdict;
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

  app.post(STRIPE_HOOK_PATH, readBody(), async (c) => {
    const d = await deps();
    // readBody has read (and size-checked) the body; Hono hands back the same bytes, untouched.
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const verification = await verifySignature(d, raw, c.req.header('stripe-signature'));
    if (!isJsonMediaType(c.req.header('content-type'))) {
      throw new ApiError(415, 'unsupported_media_type', 'Content-Type must be application/json');
    }
    return handleEvent(d, c, toEnvelope(verification));
  });
  allowOnly(app, STRIPE_HOOK_PATH, ['POST']);

  return app;
};
