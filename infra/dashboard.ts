/**
 * One CloudWatch dashboard: verdicts (by source and decision, degraded), Defastra (latency p50/p99,
 * errors, cache hits, wallet), abuse resistance (velocity hits, spend cap), Stripe write-back and store
 * write failures, verdict events, the functions (duration, errors, throttles) and the HTTP API.
 */
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DECISIONS, SOURCES } from '../shared/core/levels.js';
import { DIMENSION, METRIC, METRICS_NAMESPACE } from '../shared/observability/metric-names.js';
import { customMetric, STORE_WRITES } from './alarms.js';

export interface DashboardProps {
  dashboardName: string;
  api: HttpApi;
  functions: Record<string, lambda.IFunction>;
  verdictEvents: { fn: lambda.IFunction; failures: sqs.IQueue };
  alarms: cloudwatch.IAlarm[];
}

const KINDS = ['email', 'phone'] as const;
const PERIOD = Duration.minutes(5);

/** Every series of a metric, whatever the values of its dimensions (one line each). */
const searchOf = (metricName: string, dimensions: string[]): cloudwatch.MathExpression =>
  new cloudwatch.MathExpression({
    expression: `SEARCH('{${[METRICS_NAMESPACE, ...dimensions].join(',')}} MetricName="${metricName}"', 'Sum', ${PERIOD.toSeconds()})`,
    label: '',
    period: PERIOD,
  });

export class Dashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const fns = Object.entries(props.functions);
    const graph = (
      title: string,
      left: cloudwatch.IMetric[],
      extra: Partial<cloudwatch.GraphWidgetProps> = {},
    ) => new cloudwatch.GraphWidget({ title, left, width: 8, height: 6, period: PERIOD, ...extra });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(24),
    });

    this.dashboard.addWidgets(
      graph(
        'Decisions by source and decision',
        SOURCES.flatMap((source) =>
          DECISIONS.map((decision) =>
            customMetric(METRIC.decisions, 'Sum', {
              [DIMENSION.source]: source,
              [DIMENSION.decision]: decision,
            }).with({ label: `${source} ${decision}` }),
          ),
        ),
        { stacked: true },
      ),
      graph('Degraded verdicts', [customMetric(METRIC.degraded, 'Sum').with({ label: 'degraded' })], {
        right: [customMetric(METRIC.degraded, 'Average').with({ label: 'share of verdicts' })],
      }),
      graph(
        'Defastra latency (ms)',
        KINDS.flatMap((kind) =>
          ['p50', 'p99'].map((statistic) =>
            customMetric(METRIC.defastraLatency, statistic, { [DIMENSION.kind]: kind }).with({
              label: `${kind} ${statistic}`,
            }),
          ),
        ),
      ),
    );

    this.dashboard.addWidgets(
      graph('Defastra errors by type', [searchOf(METRIC.defastraErrors, [DIMENSION.errorType])], {
        right: [customMetric(METRIC.defastraFatalErrors, 'Sum').with({ label: 'fatal (alarmed)' })],
      }),
      graph(
        'Cache hits',
        KINDS.map((kind) =>
          customMetric(METRIC.cacheHits, 'Sum', { [DIMENSION.kind]: kind }).with({ label: kind }),
        ),
      ),
      graph('Defastra wallet balance', [
        customMetric(METRIC.walletBalance, 'Minimum', undefined, Duration.minutes(15)).with({
          label: 'minimum',
        }),
      ]),
    );

    this.dashboard.addWidgets(
      graph('Velocity hits (by key and decision)', [
        searchOf(METRIC.velocityHits, [DIMENSION.velocityKey, DIMENSION.decision]),
      ]),
      graph('Spend cap: identifiers not checked', [
        customMetric(METRIC.spendLimited, 'Sum').with({ label: 'spend limited (alarmed)' }),
      ]),
      graph(
        'Stripe write-back and store write failures',
        [
          customMetric(METRIC.writeBackFailures, 'Sum', { [DIMENSION.failure]: 'permanent' }).with({
            label: 'write-back permanent (alarmed)',
          }),
          customMetric(METRIC.writeBackFailures, 'Sum', { [DIMENSION.failure]: 'transient' }).with({
            label: 'write-back transient (Stripe retries)',
          }),
        ],
        {
          right: STORE_WRITES.map((what) =>
            customMetric(METRIC.storeWriteFailures, 'Sum', { [DIMENSION.what]: what }).with({
              label: `store ${what}`,
            }),
          ),
        },
      ),
    );

    this.dashboard.addWidgets(
      graph(
        'Lambda duration (ms)',
        fns.flatMap(([name, fn]) =>
          ['p50', 'p99'].map((statistic) =>
            fn.metricDuration({ statistic, period: PERIOD }).with({ label: `${name} ${statistic}` }),
          ),
        ),
      ),
      graph(
        'Lambda errors and throttles',
        fns.flatMap(([name, fn]) => [
          fn.metricErrors({ statistic: 'Sum', period: PERIOD }).with({ label: `${name} errors` }),
          fn.metricThrottles({ statistic: 'Sum', period: PERIOD }).with({ label: `${name} throttles` }),
        ]),
      ),
      graph(
        'HTTP API responses',
        [
          props.api.metricCount({ statistic: 'Sum', period: PERIOD }).with({ label: 'requests' }),
          props.api.metricClientError({ statistic: 'Sum', period: PERIOD }).with({ label: '4xx' }),
          props.api.metricServerError({ statistic: 'Sum', period: PERIOD }).with({ label: '5xx' }),
        ],
        {
          right: [
            props.api.metricLatency({ statistic: 'p99', period: PERIOD }).with({ label: 'latency p99 (ms)' }),
          ],
        },
      ),
    );

    this.dashboard.addWidgets(
      graph(
        'Verdict events',
        [
          props.verdictEvents.fn
            .metric('IteratorAge', { statistic: 'Maximum', period: PERIOD })
            .with({ label: 'stream lag, max (ms)' }),
        ],
        {
          right: [
            props.verdictEvents.failures
              .metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: PERIOD })
              .with({ label: 'batches given up (alarmed)' }),
          ],
        },
      ),
      graph(
        'Re-screens of provisional verdicts',
        ['done', 'rescheduled', 'gave_up'].map((outcome) =>
          customMetric(METRIC.rescreens, 'Sum', { [DIMENSION.outcome]: outcome }).with({
            label: outcome === 'gave_up' ? 'gave up (alarmed)' : outcome,
          }),
        ),
        {
          right: [
            customMetric(METRIC.rescreenBacklogAge, 'Maximum').with({ label: 'oldest due, waiting (s)' }),
            customMetric(METRIC.rescreenDue, 'Maximum').with({ label: 'due at a run start' }),
          ],
        },
      ),
      // Emitted by the api function when an operator changes the policy (docs/policy-lifecycle.md).
      graph('Policy changes', [
        customMetric(METRIC.policyChanges, 'Sum', { [DIMENSION.policy]: 'active' }).with({
          label: 'active version changed',
        }),
        customMetric(METRIC.policyChanges, 'Sum', { [DIMENSION.policy]: 'shadow' }).with({
          label: 'shadow set or cleared',
        }),
      ]),
    );

    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24, height: 4 }),
    );
  }
}
