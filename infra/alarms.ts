/**
 * Alarms: API 5xx; each function's errors and throttles; Defastra (fatal errors, funds, rate limits, a low
 * wallet); the share of degraded verdicts; the spend cap; permanent Stripe write-back failures; store writes
 * that failed without failing a screening; re-screens waiting too long or given up; verdict events given up or
 * lagging. With `alarmEmail` set they notify an SNS topic that e-mails the operator.
 */
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  DIMENSION,
  METRIC,
  METRICS_NAMESPACE,
  RATE_LIMIT_ERROR_TYPES,
} from '../shared/observability/metric-names.js';
import type { Telemetry } from '../shared/observability/telemetry.js';
import { RESCREEN_RUN_SIZE } from '../shared/rescreen/schedule.js';
import type { InfraConfig } from './context.js';
import { acknowledge } from './nag.js';

type StoreWrite = Parameters<Telemetry['storeWriteFailed']>[0];
/** Every `what` of StoreWriteFailures (the type check below fails when telemetry.ts gains one). */
export const STORE_WRITES = [
  'velocity',
  'cache',
  'stats',
  'marker',
  'rescreen',
] as const satisfies readonly StoreWrite[];
type Missing = Exclude<StoreWrite, (typeof STORE_WRITES)[number]>;
const allStoreWritesListed: [Missing] extends [never] ? true : false = true;
void allStoreWritesListed;

/** Period of the degraded-share alarm: long enough for a share to mean something at low traffic. */
export const DEGRADED_SHARE_PERIOD = Duration.minutes(15);
/** A due re-screen waiting longer than this is alarmed (docs/rescreen.md). */
export const RESCREEN_MAX_WAIT = Duration.minutes(30);
/** Verdict events older than this in the stream (IteratorAge) mean the consumer is stuck or failing. */
export const EVENTS_MAX_LAG = Duration.minutes(15);

export type AlarmThresholds = Pick<
  InfraConfig,
  | 'walletBalanceThreshold'
  | 'api5xxThreshold'
  | 'degradedShareThreshold'
  | 'degradedShareMinVerdicts'
  | 'rateLimitErrorsThreshold'
  | 'storeWriteFailuresThreshold'
>;

export interface AlarmsProps extends AlarmThresholds {
  api: HttpApi;
  functions: Record<string, lambda.IFunction>;
  /** The stream consumer (its IteratorAge) and the queue of event batches it gave up on. */
  verdictEvents: { fn: lambda.IFunction; failures: sqs.IQueue };
  alarmEmail: string | undefined;
}

/** A custom metric of the SignupGate namespace. */
export const customMetric = (
  metricName: string,
  statistic: string,
  dimensionsMap?: Record<string, string>,
  period: Duration = Duration.minutes(5),
): cloudwatch.Metric =>
  new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    statistic,
    period,
    ...(dimensionsMap ? { dimensionsMap } : {}),
  });

/** The sum of several metrics, a missing data point counting as 0 (one series alone may have no data). */
const sumOf = (label: string, metrics: cloudwatch.IMetric[], period = Duration.minutes(5)) =>
  new cloudwatch.MathExpression({
    expression: metrics.map((_, i) => `FILL(m${i}, 0)`).join(' + '),
    usingMetrics: Object.fromEntries(metrics.map((metric, i) => [`m${i}`, metric])),
    label,
    period,
  });

const AT_LEAST = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;

export class Alarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly topic: sns.Topic | undefined;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);

    if (props.alarmEmail) {
      this.topic = new sns.Topic(this, 'Topic', { displayName: 'signup-gate alarms', enforceSSL: true });
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      acknowledge(
        this.topic,
        'AwsSolutions-SNS2',
        'The alarm topic carries only alarm names and states, no signup data. CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer-managed KMS key for alarm notifications is not worth its cost here.',
      );
    }

    type Props = Omit<cloudwatch.AlarmProps, 'evaluationPeriods'>;
    const add = (alarmId: string, alarmProps: Props): void => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        evaluationPeriods: 1,
        comparisonOperator: AT_LEAST,
        // Most of these metrics only exist when something happens: silence is not a problem.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...alarmProps,
      });
      if (this.topic) {
        alarm.addAlarmAction(new actions.SnsAction(this.topic));
        alarm.addOkAction(new actions.SnsAction(this.topic));
      }
      this.alarms.push(alarm);
    };

    add('Api5xx', {
      alarmDescription: `The HTTP API answered ${props.api5xxThreshold} or more 5xx in 5 minutes (Lambda errors, timeouts, 503 store_unavailable, or 503 upstream_unavailable on the Stripe route).`,
      metric: props.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: props.api5xxThreshold,
    });

    for (const [name, fn] of Object.entries(props.functions)) {
      const key = name.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c: string) => c.toUpperCase());
      add(`${key}Errors`, {
        alarmDescription: `The ${name} function failed (uncaught error or timeout) at least once in 5 minutes.`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
      });
      add(`${key}Throttles`, {
        alarmDescription: `The ${name} function was throttled at least once in 5 minutes (account concurrency or its reserved concurrency exhausted).`,
        metric: fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
      });
    }

    // ---- Defastra ------------------------------------------------------------------------------------------
    add('DefastraFatalErrors', {
      alarmDescription:
        'Defastra refused a call for a reason no retry fixes (INSUFFICIENT_FUNDS, INVALID_API_KEY, NO_KEY, INACTIVE_API_KEY, INACTIVE_API_ACCESS, INACTIVE_TEAM_USER): verdicts are degraded until an operator acts.',
      metric: customMetric(METRIC.defastraFatalErrors, 'Sum'),
      threshold: 1,
    });
    add('DefastraInsufficientFunds', {
      alarmDescription:
        'Defastra answered INSUFFICIENT_FUNDS: the wallet is empty, every check fails and verdicts follow on_error until it is topped up.',
      metric: customMetric(METRIC.defastraErrors, 'Sum', { [DIMENSION.errorType]: 'INSUFFICIENT_FUNDS' }),
      threshold: 1,
    });
    add('DefastraRateLimited', {
      alarmDescription: `Defastra answered ${props.rateLimitErrorsThreshold} or more rate-limit errors (${RATE_LIMIT_ERROR_TYPES.join(', ')}) in 5 minutes: a signup flood, or a plan limit too low for the traffic. Rate-limited checks are degraded (on_error).`,
      metric: sumOf(
        'rate-limit errors',
        RATE_LIMIT_ERROR_TYPES.map((type) =>
          customMetric(METRIC.defastraErrors, 'Sum', { [DIMENSION.errorType]: type }),
        ),
      ),
      threshold: props.rateLimitErrorsThreshold,
    });
    add('WalletBalanceLow', {
      alarmDescription: `The Defastra wallet balance fell below ${props.walletBalanceThreshold}: top it up before calls fail with INSUFFICIENT_FUNDS.`,
      metric: customMetric(METRIC.walletBalance, 'Minimum', undefined, Duration.minutes(15)),
      threshold: props.walletBalanceThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    });

    // ---- verdicts ------------------------------------------------------------------------------------------
    add('DegradedShare', {
      alarmDescription: `More than ${Math.round(props.degradedShareThreshold * 100)} % of the verdicts of 15 minutes were degraded (decided by on_error or the spend cap, not by Defastra), counted once at least ${props.degradedShareMinVerdicts} verdicts were made.`,
      metric: new cloudwatch.MathExpression({
        // Degraded is 1 or 0 per verdict: Average = the degraded share, SampleCount = the verdicts made.
        expression: `IF(verdicts >= ${props.degradedShareMinVerdicts}, share, 0)`,
        usingMetrics: {
          share: customMetric(METRIC.degraded, 'Average', undefined, DEGRADED_SHARE_PERIOD),
          verdicts: customMetric(METRIC.degraded, 'SampleCount', undefined, DEGRADED_SHARE_PERIOD),
        },
        label: 'degraded share',
        period: DEGRADED_SHARE_PERIOD,
      }),
      threshold: props.degradedShareThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    add('SpendLimitReached', {
      alarmDescription:
        'The hourly Defastra spend cap (policy spend.max_defastra_calls_per_hour) was reached: identifiers go unchecked and verdicts follow spend.on_exhausted until the next UTC hour.',
      metric: customMetric(METRIC.spendLimited, 'Sum'),
      threshold: 1,
    });
    add('StripeWriteBackPermanentFailures', {
      alarmDescription:
        'A Stripe write-back failed for good (Stripe 4xx: bad or under-privileged API key, missing customer or Radar value list); the verdict stands but Stripe was not updated.',
      metric: customMetric(METRIC.writeBackFailures, 'Sum', { [DIMENSION.failure]: 'permanent' }),
      threshold: 1,
    });

    // ---- store writes that must not fail a screening, and failed -------------------------------------------------
    add('VelocityWriteFailures', {
      alarmDescription: `${props.storeWriteFailuresThreshold} or more velocity counts could not be written in 5 minutes: those screenings went on without velocity (abuse resistance is weakened while the store fails).`,
      metric: customMetric(METRIC.storeWriteFailures, 'Sum', { [DIMENSION.what]: 'velocity' }),
      threshold: props.storeWriteFailuresThreshold,
    });
    const others = STORE_WRITES.filter((what) => what !== 'velocity');
    add('StoreWriteFailures', {
      alarmDescription: `${props.storeWriteFailuresThreshold} or more best-effort store writes (${others.join(', ')}) failed in 5 minutes without failing the screening: cache misses cost Defastra calls, statistics undercount, markers are left to expire.`,
      metric: sumOf(
        'store write failures',
        others.map((what) => customMetric(METRIC.storeWriteFailures, 'Sum', { [DIMENSION.what]: what })),
      ),
      threshold: props.storeWriteFailuresThreshold,
    });

    // ---- re-screens (docs/rescreen.md) ------------------------------------------------------------------------
    add('RescreenBacklogAge', {
      alarmDescription: `A due re-screen of a provisional verdict has waited more than ${RESCREEN_MAX_WAIT.toMinutes()} minutes: runs fail, stop at Defastra's rate limit or the spend cap, or cannot keep up with the backlog.`,
      metric: customMetric(METRIC.rescreenBacklogAge, 'Maximum', undefined, Duration.minutes(15)),
      threshold: RESCREEN_MAX_WAIT.toSeconds(),
    });
    add('RescreenBacklogFull', {
      alarmDescription: `Every re-screen run of 15 minutes found a full run's worth (${RESCREEN_RUN_SIZE}) of due re-screens: the pending backlog grows faster than it is worked off.`,
      metric: customMetric(METRIC.rescreenDue, 'Minimum', undefined, Duration.minutes(15)),
      threshold: RESCREEN_RUN_SIZE,
    });
    add('RescreenGaveUp', {
      alarmDescription:
        'A provisional verdict could not be re-screened within 24 hours and was given up: it keeps the decision answered at signup (degraded). Review it by hand.',
      metric: customMetric(METRIC.rescreens, 'Sum', { [DIMENSION.outcome]: 'gave_up' }, Duration.hours(1)),
      threshold: 1,
    });

    // ---- verdict events ------------------------------------------------------------------------------------
    add('VerdictEventsGivenUp', {
      alarmDescription:
        'The verdict-events stream mapping gave up on a batch (retries or record age exhausted) and recorded it in its failure queue: some verdict events were not published, and those verdicts are missing from the statistics. See docs/deploy.md, verdict events.',
      metric: props.verdictEvents.failures.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
    });
    add('VerdictEventsLag', {
      alarmDescription: `Verdict events lag the table by more than ${EVENTS_MAX_LAG.toMinutes()} minutes (stream IteratorAge): the verdict-events function is failing or throttled.`,
      metric: props.verdictEvents.fn.metric('IteratorAge', {
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: EVENTS_MAX_LAG.toMilliseconds(),
    });
  }
}
