/**
 * `POST /hooks/paddle` (docs/paddle.md): Paddle Billing's webhook notifications, verified with `Paddle-Signature`
 * (400 `invalid_signature` otherwise, Paddle's and Stripe's convention). Screens `customer.created` once per
 * `event_id`, exactly as the Stripe route does: a redelivery answers the stored verdict with `duplicate: true`, a
 * concurrent one `409`, a retryable Defastra failure `503` at once (Paddle's retry is the back-off) with nothing
 * final stored. Other events are answered as ignored.
 *
 * Checks run in the contract's order (docs/api.md): 404/405, 413, signature (400 `invalid_signature`), 415, then 400.
 */
import type { Hono } from 'hono';
import { createBaseApp } from '../../shared/http/app-base.js';
import { parseJson, readBody } from '../../shared/http/body.js';
import type { AppEnv } from '../../shared/http/env.js';
import { ApiError } from '../../shared/http/errors.js';
import { allowOnly } from '../../shared/http/methods.js';
import { validate } from '../../shared/http/validation.js';
import { verifySignature } from '../../shared/http/verify-signature.js';
import type { Telemetry } from '../../shared/observability/telemetry.js';
import type { DepsProvider } from '../../shared/runtime/deps.js';
import { RetryableScreeningError } from '../../shared/screening/screen.js';
import { type ScreenOnceResult, screenOnce } from '../../shared/screening/screen-once.js';
import { paddleVerifier } from '../../shared/webhooks/paddle.js';
import { pathOf } from '../routes.js';
import { paddleAnswer, paddleIgnored } from './answer.js';
import { paddleEventSchema, paddleRunOnceKey, paddleScreenInput } from './event.js';

export const PADDLE_HOOK_PATH = pathOf('paddle-hook');

/** Builds the Paddle webhook app; the local server and the `paddle-hook` Lambda both run it. */
export const createPaddleHookApp = (deps: DepsProvider, telemetry?: Telemetry): Hono<AppEnv> => {
  const app = createBaseApp(telemetry);

  const signature = verifySignature(paddleVerifier, (d) => d.hookSecrets.paddle(), deps);

  app.post(PADDLE_HOOK_PATH, readBody(), signature, parseJson(), async (c) => {
    const d = await deps();
    const event = validate(paddleEventSchema, c.get('json'));
    const input = paddleScreenInput(event);
    if (!input) {
      d.telemetry.info('paddle event ignored', { event_id: event.event_id, event_type: event.event_type });
      const ignored = paddleIgnored(event);
      return c.json(ignored.body, ignored.status);
    }
    const key = paddleRunOnceKey(event);
    let result: ScreenOnceResult;
    try {
      result = await screenOnce(d, {
        input,
        // Constant per event: a redelivery is always a repeat, never a reused key (no 422 here).
        once: { key, body: `paddle-event:${key}` },
        options: { throwOnRetryable: true, retry: false },
      });
    } catch (error) {
      if (!(error instanceof RetryableScreeningError)) throw error;
      d.telemetry.warn('paddle event not screened: Defastra temporarily unavailable', {
        event_id: key,
        error_type: error.cause.type,
      });
      throw new ApiError(
        503,
        'upstream_unavailable',
        'the screening provider is temporarily unavailable; Paddle will retry this event',
      );
    }
    c.set('verdictId', result.verdict.verdict_id);
    if (result.replayed) d.telemetry.info('paddle event already screened', { event_id: key });
    const answer = paddleAnswer(result.verdict, event, result.replayed);
    return c.json(answer.body, answer.status);
  });
  allowOnly(app, PADDLE_HOOK_PATH, ['POST']);

  return app;
};
