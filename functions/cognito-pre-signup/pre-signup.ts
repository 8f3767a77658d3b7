/**
 * The pre sign-up trigger's behaviour, shared by the Lambda entry and the local route: screen the event,
 * then give it back unchanged (allow, review) or refuse the sign-up with the policy's `user_message` (block),
 * which Cognito shows as "PreSignUp failed with error <message>.". The Defastra part stays inside
 * `budget_ms.cognito` and inside the time Lambda has left, so the answer comes within Cognito's 5 s.
 */
import type { Context } from 'aws-lambda';
import type { Decision } from '../../shared/core/levels.js';
import { ApiError } from '../../shared/http/errors.js';
import { validate } from '../../shared/http/validation.js';
import { errorLogFields } from '../../shared/observability/error-fields.js';
import { silentTelemetry, type Telemetry } from '../../shared/observability/telemetry.js';
import { resolveForSource } from '../../shared/policy/decide.js';
import type { AppDeps, DepsProvider } from '../../shared/runtime/deps.js';
import { screenOnce } from '../../shared/screening/screen-once.js';
import { cognitoPreSignUpSchema, cognitoScreenInput } from './event.js';

/** Kept for the store write and the answer after the Defastra part, when Lambda says how long is left. */
export const LAMBDA_MARGIN_MS = 750;
const MIN_BUDGET_MS = 100;
/** Shown by Cognito when the function cannot screen at all (no deps: configuration or secrets). */
export const UNAVAILABLE_MESSAGE = 'We could not complete your sign-up right now. Please try again later.';

/** The sign-up is refused; the message is the policy's `user_message`, shown to the user by Cognito. */
export class SignupRejectedError extends Error {
  override readonly name = 'SignupRejectedError';
}

export interface PreSignUpOptions {
  /** `context.getRemainingTimeInMillis()` in Lambda; absent locally. */
  remainingMs?: number;
}

/** The Defastra budget: the policy's, shortened when Lambda has less time left. */
const budgetFor = (policyBudgetMs: number, remainingMs: number | undefined): number =>
  remainingMs === undefined
    ? policyBudgetMs
    : Math.max(MIN_BUDGET_MS, Math.min(policyBudgetMs, remainingMs - LAMBDA_MARGIN_MS));

/**
 * Screens one pre sign-up event and returns it unchanged, or throws SignupRejectedError on block. An event
 * that is not a pre sign-up event throws a 400 ApiError. When the screening itself fails (the store cannot
 * be reached), `on_error.cognito` decides, as it does for a Defastra failure.
 */
export const runPreSignUp = async <E>(d: AppDeps, event: E, options: PreSignUpOptions = {}): Promise<E> => {
  const parsed = validate(cognitoPreSignUpSchema, event, 'event');
  // Without the active version (the store cannot be read), the bundled file decides what to answer.
  const current = await d.policy().catch(() => d.policies.file);
  const policy = resolveForSource(current, 'cognito');
  const budget = budgetFor(policy.budget_ms.cognito, options.remainingMs);
  let decision: Decision;
  try {
    const { verdict } = await screenOnce(d, {
      input: cognitoScreenInput(parsed),
      policy: current,
      options: { signal: AbortSignal.timeout(budget), deadline: d.now() + budget },
    });
    decision = verdict.action;
  } catch (error) {
    // In monitor mode nothing is refused, a failed screening included.
    decision = policy.mode === 'monitor' ? 'allow' : policy.on_error.cognito;
    d.telemetry.error('cognito screening failed; on_error.cognito decides', {
      ...errorLogFields(error),
      decision,
    });
  }
  if (decision === 'block') throw new SignupRejectedError(policy.user_message);
  return event;
};

type LambdaContextLike = Pick<Context, 'getRemainingTimeInMillis'>;

/**
 * The Lambda handler over a deps provider. Whatever it throws, Cognito shows its message to the user, so
 * only the policy's `user_message`, UNAVAILABLE_MESSAGE or a field-naming validation message leave it.
 */
export const createPreSignUpHandler =
  (deps: DepsProvider, telemetry: Telemetry = silentTelemetry) =>
  async <E>(event: E, context?: LambdaContextLike): Promise<E> => {
    let d: AppDeps;
    try {
      d = await deps();
    } catch (error) {
      // Configuration or secrets: nothing can be screened; the next invocation tries again.
      telemetry.error('cognito-pre-signup cannot start', errorLogFields(error));
      throw new Error(UNAVAILABLE_MESSAGE);
    }
    try {
      return await runPreSignUp(d, event, { remainingMs: context?.getRemainingTimeInMillis() });
    } catch (error) {
      if (error instanceof ApiError) {
        d.telemetry.warn('cognito event refused', { reason: error.message });
        throw new Error(`not a Cognito pre sign-up event: ${error.message}`);
      }
      throw error;
    }
  };
