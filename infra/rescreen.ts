/**
 * The re-screen schedule (docs/rescreen.md): an EventBridge rule invokes the `rescreen` function every minute (no
 * retries: the next minute's run is the retry). The function's IAM (table items, the `by_due` index, its secrets) is
 * granted with the others' in signup-gate-stack.ts; its alarms are in alarms.ts.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** How often the due re-screens are tried. */
export const RESCREEN_RATE = Duration.minutes(1);
/** The function's timeout: a run starts attempts for at most 45 s, each within its route's budget. */
export const RESCREEN_TIMEOUT_SECONDS = 75;

export class RescreenSchedule extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: { fn: lambda.IFunction }) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: 'signup-gate: re-screen the due provisional verdicts (docs/rescreen.md)',
      schedule: events.Schedule.rate(RESCREEN_RATE),
      targets: [new targets.LambdaFunction(props.fn, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });
  }
}
