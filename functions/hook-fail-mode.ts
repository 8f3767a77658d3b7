/**
 * Screening for the synchronous sign-up hooks whose provider refuses the sign-up on any answer but its own (Okta,
 * Ory Kratos, WorkOS: docs/okta.md, kratos.md, workos.md). When the screening cannot finish — the store cannot be
 * reached, the same call is still being screened (a retry of a call still running), anything unexpected — the
 * source's `on_error` decides the answer, as it does when Defastra cannot judge in time: the provider's fail mode
 * stays the policy's, and the answer stays inside its timeout. A run-once key reused with another body is the
 * caller's mistake and stays `422`.
 */
import type { Decision } from '../shared/core/levels.js';
import type { Verdict } from '../shared/core/verdict.js';
import { IdempotencyKeyReusedError } from '../shared/markers/errors.js';
import { errorLogFields } from '../shared/observability/error-fields.js';
import { resolveForSource } from '../shared/policy/decide.js';
import type { ResolvedPolicy } from '../shared/policy/schema.js';
import type { AppDeps } from '../shared/runtime/deps.js';
import { type ScreenOnceRequest, screenOnce } from '../shared/screening/screen-once.js';

export interface HookScreening {
  /** The verdict, fresh or replayed; null when the screening failed and `on_error` answered. */
  verdict: Verdict | null;
  /** What the provider is asked to do: the verdict's `action`, or `on_error.<source>`. */
  action: Decision;
  policy: ResolvedPolicy;
}

/** Screens the request once (per its key), answering `on_error.<source>` when the screening cannot finish. */
export const screenOrOnError = async (
  d: AppDeps,
  request: Omit<ScreenOnceRequest, 'policy'>,
): Promise<HookScreening> => {
  const { source } = request.input;
  const current = await d.policy();
  const policy = resolveForSource(current, source);
  try {
    const { verdict } = await screenOnce(d, { ...request, policy: current });
    return { verdict, action: verdict.action, policy };
  } catch (error) {
    if (error instanceof IdempotencyKeyReusedError) throw error;
    const action = policy.on_error[source];
    d.telemetry.error(`${source} screening failed; on_error.${source} answers`, {
      ...errorLogFields(error),
      action,
    });
    return { verdict: null, action, policy };
  }
};
