/**
 * Enforcement in AWS (docs/enforcement.md, docs/deploy.md): the table's stream feeding the `enforcer` function through
 * a second event source mapping (verdict items only, batch item failures, split batches, bounded retries, then the
 * lost batch recorded in an encrypted SQS queue); the function may read and update verdict items and call
 * AdminDisableUser / AdminEnableUser on the user pools (the one of `cognitoUserPoolArn` when set); alarms on failed
 * enforcements, given-up batches and lag. Never on a request's path.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC } from '../shared/observability/metric-names.js';
import { type Alarms, customMetric } from './alarms.js';
import { acknowledge } from './nag.js';
import type { ServiceFunction } from './service-function.js';
import { VERDICT_STREAM_FILTER } from './verdict-events.js';

/** Delivery settings of the enforcer's event source mapping (documented in docs/deploy.md). */
export const ENFORCER_DELIVERY = {
  /** Small batches: each change may wait on a provider (5 s per call, a few tries). */
  batchSize: 10,
  /** A failing batch is retried this many times (each split counts) before it is given up. */
  retryAttempts: 8,
  /** Changes older than this are given up too (the stream keeps records 24 hours). */
  maxRecordAge: Duration.hours(12),
  failureRetention: Duration.days(14),
} as const;

/** Verdict changes older than this in the stream (IteratorAge) mean the enforcer is stuck or failing. */
export const ENFORCER_MAX_LAG = Duration.minutes(15);

/** What the enforcer does to verdict items: read one (getStored), record the enforcement (one update). */
export const ENFORCER_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'];
export const COGNITO_ENFORCEMENT_ACTIONS = ['cognito-idp:AdminDisableUser', 'cognito-idp:AdminEnableUser'];

export interface EnforcementProps {
  table: dynamodb.TableV2;
  consumer: ServiceFunction;
  /** The pool Cognito enforcement may act on; unset = every user pool of the account in the stack's region. */
  cognitoUserPoolArn: string | undefined;
  /** The stack's alarms: the enforcer's join them (and their topic). */
  alarms: Alarms;
}

export class Enforcement extends Construct {
  /** Where the mapping records batches it gave up on (their shard and sequence numbers, not the verdicts). */
  readonly failures: sqs.Queue;
  readonly #consumer: ServiceFunction;

  constructor(scope: Construct, id: string, props: EnforcementProps) {
    super(scope, id);
    const { table, consumer } = props;
    this.#consumer = consumer;
    this.failures = new sqs.Queue(this, 'Failures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: ENFORCER_DELIVERY.failureRetention,
    });
    acknowledge(
      this.failures,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter destination: the stream event source mapping of the enforcer sends it the batches it gave up on, and an alarm fires on its first message. A dead-letter queue of its own would only move those records once more.',
    );

    consumer.function.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: ENFORCER_DELIVERY.batchSize,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: ENFORCER_DELIVERY.retryAttempts,
        maxRecordAge: ENFORCER_DELIVERY.maxRecordAge,
        parallelizationFactor: 1,
        onFailure: new SqsDlq(this.failures),
        filters: [lambda.FilterCriteria.filter(VERDICT_STREAM_FILTER)],
      }),
    );
    consumer.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'VerdictItems',
        actions: ENFORCER_TABLE_ACTIONS,
        resources: [table.tableArn],
      }),
    );
    consumer.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ListStreams', actions: ['dynamodb:ListStreams'], resources: ['*'] }),
    );
    // Pseudo parameters, never the stack's literal env: the acknowledgement below names them, whatever the env.
    const pools =
      props.cognitoUserPoolArn ??
      `arn:${Aws.PARTITION}:cognito-idp:${Aws.REGION}:${Aws.ACCOUNT_ID}:userpool/*`;
    consumer.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CognitoUsers',
        actions: COGNITO_ENFORCEMENT_ACTIONS,
        resources: [pools],
      }),
    );
    acknowledge(
      consumer.role,
      'AwsSolutions-IAM5[Resource::*]',
      'dynamodb:ListStreams supports no resource-level permission (the IAM Service Authorization Reference lists no resource type for it), so it can only be granted on "*"; the stream event source mapping of this function uses it, and it lists stream ARNs only.',
    );
    if (props.cognitoUserPoolArn === undefined) {
      acknowledge(
        consumer.role,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cognito-idp:<AWS::Region>:<AWS::AccountId>:userpool/*]',
        'Without the cognitoUserPoolArn setting the trigger may be attached to any user pool of this account (docs/cognito.md), so the enforcer may disable and enable users in those pools only: two actions, the account and region of the stack. Setting cognitoUserPoolArn narrows this statement to that one pool.',
      );
    }

    // ---- alarms, with the stack's others (and their topic) -------------------------------------------------
    const add = (alarmId: string, alarmProps: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'>): void => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...alarmProps,
      });
      if (props.alarms.topic) {
        alarm.addAlarmAction(new actions.SnsAction(props.alarms.topic));
        alarm.addOkAction(new actions.SnsAction(props.alarms.topic));
      }
      props.alarms.alarms.push(alarm);
    };
    add('EnforcementFailures', {
      alarmDescription:
        'An enforcement at a provider ended failed (a permanent refusal such as missing scopes, an unknown account, missing credentials; or a transient failure that outlasted its retries): the account was not blocked, or not unblocked. The verdict records the error code; see docs/enforcement.md.',
      metric: customMetric(METRIC.enforcementFailures, 'Sum'),
      threshold: 1,
    });
    add('EnforcementGivenUp', {
      alarmDescription:
        'The enforcer stream mapping gave up on a batch (retries or record age exhausted) and recorded it in its failure queue: some verdict changes were never enforced. See docs/deploy.md, enforcement.',
      metric: this.failures.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
    });
    add('EnforcerLag', {
      alarmDescription: `Enforcement lags the table by more than ${ENFORCER_MAX_LAG.toMinutes()} minutes (stream IteratorAge): the enforcer function is failing, throttled or retrying a provider that is down.`,
      metric: consumer.function.metric('IteratorAge', { period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: ENFORCER_MAX_LAG.toMilliseconds(),
    });
  }

  /** The dashboard row of enforcement: failures, given-up batches and the stream lag. */
  widgets(): cloudwatch.IWidget[] {
    const graph = (title: string, left: cloudwatch.IMetric[]) =>
      new cloudwatch.GraphWidget({ title, left, width: 8, height: 6, period: Duration.minutes(5) });
    return [
      graph('Enforcement failures', [
        customMetric(METRIC.enforcementFailures, 'Sum').with({ label: 'failed at a provider' }),
      ]),
      graph('Enforcer batches given up', [
        this.failures.metricApproximateNumberOfMessagesVisible({ label: 'in the failure queue' }),
      ]),
      graph('Enforcer lag (IteratorAge)', [
        this.#consumer.function.metric('IteratorAge', { statistic: 'Maximum', label: 'oldest change' }),
      ]),
    ];
  }
}
