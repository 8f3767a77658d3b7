/**
 * Verdict events in AWS (docs/events.md): the stack's EventBridge bus, and the table's
 * stream feeding the `verdict-events` function through an event source mapping that only wakes it for verdict
 * items, reports partial batch failures, splits failing batches, gives up after bounded retries, and then records
 * the lost batch in an encrypted SQS queue (an alarm watches it). The same function adds the statistics counters of
 * new verdicts (docs/capacity.md). Publishing and counting are never on a request's path.
 */
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { VERDICT_STREAM_KEYS } from '../shared/store/dynamo/keys.js';
import { acknowledge } from './nag.js';
import type { ServiceFunction } from './service-function.js';

/**
 * The stream records that invoke the function (Lambda event filtering, so other items cost nothing): a verdict
 * created (INSERT) or reviewed (MODIFY), its keys matched by the DynamoDB adapter's own pattern. REMOVE (TTL expiry)
 * and every marker, cache, counter and list item are dropped before any invocation.
 */
export const VERDICT_STREAM_FILTER = {
  eventName: lambda.FilterRule.or('INSERT', 'MODIFY'),
  dynamodb: { Keys: VERDICT_STREAM_KEYS },
};

/** Delivery settings of the event source mapping (documented in docs/deploy.md). */
export const STREAM_DELIVERY = {
  batchSize: 100,
  /** A batch that keeps failing is retried this many times (each split counts) before it is given up. */
  retryAttempts: 10,
  /** Records older than this are given up too (the stream keeps records 24 hours). */
  maxRecordAge: Duration.hours(6),
  /** Kept this long in the on-failure queue. */
  failureRetention: Duration.days(14),
} as const;

export interface VerdictEventsProps {
  /** Bus name (stack output `EventBusName`). */
  busName: string;
}

export class VerdictEvents extends Construct {
  readonly bus: events.EventBus;
  /** Where the mapping records batches it gave up on (their shard and sequence numbers, not the verdicts). */
  readonly failures: sqs.Queue;

  constructor(scope: Construct, id: string, props: VerdictEventsProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.busName,
      description: 'signup-gate verdict events (source signup-gate: Verdict Created, Verdict Reviewed)',
    });
    this.failures = new sqs.Queue(this, 'Failures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: STREAM_DELIVERY.failureRetention,
    });
    acknowledge(
      this.failures,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter destination: the stream event source mapping of verdict-events sends it the batches it gave up on, and an alarm fires on its first message. A dead-letter queue of its own would only move those records once more.',
    );
  }

  /**
   * Wires the table's stream to `consumer`, and lets it put events on the bus and add the statistics counters of new
   * verdicts to the table (UpdateItem, nothing else).
   */
  consume(table: dynamodb.TableV2, consumer: ServiceFunction): void {
    const source = new DynamoEventSource(table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: STREAM_DELIVERY.batchSize,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: STREAM_DELIVERY.retryAttempts,
      maxRecordAge: STREAM_DELIVERY.maxRecordAge,
      parallelizationFactor: 1,
      onFailure: new SqsDlq(this.failures),
      filters: [lambda.FilterCriteria.filter(VERDICT_STREAM_FILTER)],
    });
    consumer.function.addEventSource(source);
    this.bus.grantPutEventsTo(consumer.role);
    consumer.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StatisticsCounters',
        actions: ['dynamodb:UpdateItem'],
        resources: [table.tableArn],
      }),
    );
    // TableV2.grantStreamRead (called by the event source) scopes ListStreams to the stream ARN, but the action
    // supports no resource-level permission, so that statement grants nothing for it; Lambda's documented stream
    // permissions include it. Granted here on "*", alone.
    consumer.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ListStreams', actions: ['dynamodb:ListStreams'], resources: ['*'] }),
    );
    acknowledge(
      consumer.role,
      'AwsSolutions-IAM5[Resource::*]',
      'dynamodb:ListStreams supports no resource-level permission (the IAM Service Authorization Reference lists no resource type for it), so it can only be granted on "*"; the stream event source mapping of this function uses it, and it lists stream ARNs only. Every other statement of this role names its exact stream, table, queue, bus or log group ARN.',
    );
  }
}
