/** Lambda entry of the `verdict-events` function: the table's stream → the stack's EventBridge bus (docs/events.md). */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type EventsConfig, loadEventsConfig } from '../../shared/config/events.js';
import { publishRecords } from '../../shared/events/stream.js';
import { errorLogFields } from '../../shared/observability/error-fields.js';
import { createPowertoolsTelemetry, instrument } from '../../shared/observability/powertools.js';
import { resolveForSource } from '../../shared/policy/decide.js';

const telemetry = createPowertoolsTelemetry('verdict-events');
const client = new EventBridgeClient({});
let config: EventsConfig | undefined;

export const handler = instrument(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  config ??= loadEventsConfig(process.env);
  const retry = await publishRecords(
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
  );
  if (retry.length > 0)
    telemetry.warn('verdict events not published; the stream will retry', { records: retry.length });
  return { batchItemFailures: retry.map((itemIdentifier) => ({ itemIdentifier })) };
}, telemetry);
