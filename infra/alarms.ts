/**
 * Alarms: API 5xx, each function's errors and throttles, account-level Defastra failures and a low
 * Defastra wallet. With `alarmEmail` set they notify an SNS topic that e-mails the operator.
 */
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE } from '../shared/observability/metric-names.js';
import { acknowledge } from './nag.js';

export interface AlarmsProps {
  api: HttpApi;
  functions: Record<string, lambda.IFunction>;
  walletBalanceThreshold: number;
  api5xxThreshold: number;
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

    const add = (alarmId: string, alarmProps: cloudwatch.AlarmProps): void => {
      const alarm = new cloudwatch.Alarm(this, alarmId, alarmProps);
      if (this.topic) {
        alarm.addAlarmAction(new actions.SnsAction(this.topic));
        alarm.addOkAction(new actions.SnsAction(this.topic));
      }
      this.alarms.push(alarm);
    };

    add('Api5xx', {
      alarmDescription: `The HTTP API answered ${props.api5xxThreshold} or more 5xx in 5 minutes (Lambda errors, timeouts, or 503 upstream_unavailable on the Stripe route).`,
      metric: props.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: props.api5xxThreshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    for (const [name, fn] of Object.entries(props.functions)) {
      const key = name.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c: string) => c.toUpperCase());
      add(`${key}Errors`, {
        alarmDescription: `The ${name} function failed (uncaught error or timeout) at least once in 5 minutes.`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      add(`${key}Throttles`, {
        alarmDescription: `The ${name} function was throttled at least once in 5 minutes (account concurrency exhausted).`,
        metric: fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    add('DefastraFatalErrors', {
      alarmDescription:
        'Defastra refused a call for a reason no retry fixes (INSUFFICIENT_FUNDS, INVALID_API_KEY, NO_KEY, INACTIVE_API_KEY, INACTIVE_API_ACCESS, INACTIVE_TEAM_USER): verdicts are degraded until an operator acts.',
      metric: customMetric(METRIC.defastraFatalErrors, 'Sum'),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    add('WalletBalanceLow', {
      alarmDescription: `The Defastra wallet balance fell below ${props.walletBalanceThreshold}: top it up before calls fail with INSUFFICIENT_FUNDS.`,
      metric: customMetric(METRIC.walletBalance, 'Minimum', undefined, Duration.minutes(15)),
      threshold: props.walletBalanceThreshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      // The balance is only reported when Defastra answers; silence is not a low balance.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
