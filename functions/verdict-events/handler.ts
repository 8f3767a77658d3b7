/**
 * Lambda entry of the `verdict-events` function: the table's stream → the stack's EventBridge bus (docs/events.md),
 * and the statistics counters of new verdicts (docs/capacity.md).
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type EventsConfig, loadEventsConfig } from '../../shared/config/events.js';
import { publishRecords } from '../../shared/events/stream.js';
import { errorLogFields } from '../../shared/observability/error-fields.js';
import { createPowertoolsTelemetry, instrument } from '../../shared/observability/powertools.js';
import { resolveForSource } from '../../shared/policy/decide.js';
import { countRecords } from '../../shared/stats/stream.js';
import { createDynamoCounters } from '../../shared/store/dynamo/store.js';
import type { CounterRepository } from '../../shared/store/ports.js';

const telemetry = createPowertoolsTelemetry('verdict-events');
const client = new EventBridgeClient({});
let config: EventsConfig | undefined;
let counters: CounterRepository | undefined;

export const handler = instrument(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  config ??= loadEventsConfig(process.env);
  counters ??= createDynamoCounters({ client: new DynamoDBClient({}), tableName: config.tableName });
  const [unpublished, uncounted] = await Promise.all([
    publishRecords(
      event.Records,
      resolveForSource(config.policy, 'api').events.publish,
      config.busName,
      async (entries) => {
        const output = await client.send(new PutEventsCommand({ Entries: entries }));
        return (output.Entries ?? entries.map(() => ({ ErrorCode: 'Missing' }))).map(
          (entry) => !!entry.ErrorCode,
        );
      },
      (record, error) =>
        telemetry.error('unreadable stream record skipped', {
          sequence: record.dynamodb?.SequenceNumber,
          ...errorLogFields(error),
        }),
    ),
    countRecords(event.Records, counters),
  ]);
  if (unpublished.length > 0)
    telemetry.warn('verdict events not published; the stream will retry', { records: unpublished.length });
  if (uncounted.length > 0) {
    telemetry.storeWriteFailed('stats');
    telemetry.warn('statistics counters not written; the stream will retry', { records: uncounted.length });
  }
  // The stream retries from the first failed record on: in record order, each once.
  const failed = new Set([...unpublished, ...uncounted]);
  const retry = event.Records.map((r) => r.dynamodb?.SequenceNumber ?? '').filter((s) => failed.has(s));
  return { batchItemFailures: retry.map((itemIdentifier) => ({ itemIdentifier })) };
}, telemetry);
