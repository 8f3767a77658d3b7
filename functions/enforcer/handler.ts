/** Lambda entry of the `enforcer` function: the table's stream → block and unblock at the providers (docs/enforcement.md). */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { Enforcer } from '../../shared/enforce/enforcer.js';
import { enforceRecords } from '../../shared/enforce/stream.js';
import { errorLogFields } from '../../shared/observability/error-fields.js';
import { createPowertoolsTelemetry, instrument } from '../../shared/observability/powertools.js';
import { lambdaEnforcer } from '../../shared/runtime/enforcer.js';

const telemetry = createPowertoolsTelemetry('enforcer');
let enforcer: Enforcer | undefined;

export const handler = instrument(
  async (event: DynamoDBStreamEvent, context): Promise<DynamoDBBatchResponse> => {
    enforcer ??= lambdaEnforcer(telemetry);
    const retry = await enforceRecords(event.Records, enforcer, {
      remainingMs: () => context.getRemainingTimeInMillis(),
      onUnreadable: (record, error) =>
        telemetry.error('unreadable stream record skipped', {
          sequence: record.dynamodb?.SequenceNumber,
          ...errorLogFields(error),
        }),
      onError: (record, error) =>
        telemetry.error('enforcement interrupted; the stream will deliver it again', {
          sequence: record.dynamodb?.SequenceNumber,
          ...errorLogFields(error),
        }),
    });
    if (retry.length > 0)
      telemetry.warn('enforcement to be tried again by the stream', { records: retry.length });
    // The first record to retry is enough: the stream delivers it and every later one again, in order.
    return { batchItemFailures: retry.slice(0, 1).map((itemIdentifier) => ({ itemIdentifier })) };
  },
  telemetry,
);
