/**
 * Lambda entry of the `rescreen` function (docs/rescreen.md): invoked on a schedule (every minute), it runs the
 * re-screen job once. It starts no attempt later than RUN_WINDOW_MS into the run, nor too late to finish within the
 * function's timeout, so a run ends before the next one starts.
 */
import type { Context } from 'aws-lambda';
import { createPowertoolsTelemetry, instrument } from '../../shared/observability/powertools.js';
import { resolveForSource } from '../../shared/policy/decide.js';
import { type RescreenRun, rescreenDepsOf, runRescreens } from '../../shared/rescreen/job.js';
import { lambdaDeps } from '../../shared/runtime/lambda.js';

/** How long into a run attempts may start (the schedule fires every minute). */
export const RUN_WINDOW_MS = 45_000;
/** Left for the writes after the longest attempt. */
const MARGIN_MS = 2_000;

const telemetry = createPowertoolsTelemetry('rescreen');
const deps = lambdaDeps(telemetry);

export const handler = instrument(async (_event: unknown, context: Context): Promise<RescreenRun> => {
  const started = Date.now();
  const d = await deps();
  const policy = resolveForSource(await d.policy(), 'api');
  const longest = Math.max(...Object.values(policy.budget_ms));
  const window = Math.min(RUN_WINDOW_MS, context.getRemainingTimeInMillis() - longest - MARGIN_MS);
  return runRescreens(rescreenDepsOf(d), { stopStartingAt: started + window });
}, telemetry);
