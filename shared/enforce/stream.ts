/**
 * The enforcer in AWS (docs/enforcement.md): the table's stream, record by record and in order, each verdict change
 * handed to the enforcer. A change whose enforcement failed transiently (or threw) is reported as a batch item
 * failure with every record after it, so the stream delivers them again, in order; a change already carried out is
 * skipped on redelivery. When the function runs short of time, the records not reached are reported the same way.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { verdictFromStreamImage } from '../store/dynamo/codec.js';
import type { Enforcer } from './enforcer.js';

/** Time kept back for the records not reached (their failure list) and the metrics flush, in ms. */
export const TIME_RESERVE_MS = 20_000;

export interface StreamOptions {
  /** Lambda's `context.getRemainingTimeInMillis`. */
  remainingMs: () => number;
  /** A record that cannot be read at all: skipped (it would fail the same way forever) and logged by the caller. */
  onUnreadable: (record: DynamoDBRecord, error: unknown) => void;
  /** An enforcer run that threw (the store failed): the record is retried. */
  onError: (record: DynamoDBRecord, error: unknown) => void;
}

/** Hands each record's change to the enforcer; returns the sequence numbers to deliver again (none when all went). */
export const enforceRecords = async (
  records: readonly DynamoDBRecord[],
  enforcer: Enforcer,
  options: StreamOptions,
): Promise<string[]> => {
  const sequences = records.map((record) => record.dynamodb?.SequenceNumber ?? '');
  for (const [index, record] of records.entries()) {
    if (options.remainingMs() < TIME_RESERVE_MS) return sequences.slice(index);
    if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') continue;
    let change: {
      before: ReturnType<typeof verdictFromStreamImage>;
      after: ReturnType<typeof verdictFromStreamImage>;
    };
    try {
      change = {
        before: verdictFromStreamImage(record.dynamodb?.OldImage),
        after: verdictFromStreamImage(record.dynamodb?.NewImage),
      };
    } catch (error) {
      options.onUnreadable(record, error);
      continue;
    }
    if (change.after === null) continue;
    try {
      const { retry } = await enforcer.onChange(change.before, change.after);
      if (retry) return sequences.slice(index);
    } catch (error) {
      options.onError(record, error);
      return sequences.slice(index);
    }
  }
  return [];
};
