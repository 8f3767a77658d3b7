/**
 * Statistics in AWS (docs/capacity.md): the counters of new verdicts, from the table's stream, written by the
 * `verdict-events` consumer beside the events it publishes. At least once: a batch the stream delivers again after a
 * failure counts again the verdicts of it that were counted already.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { createdFromStreamImage } from '../store/dynamo/codec.js';
import type { CounterRepository, StatsIncrement } from '../store/ports.js';
import { recordIncrements, uncountedIncrement } from './off-path.js';

/**
 * Adds the counters of the verdicts created in `records` (INSERTs of verdict items their screening did not count);
 * returns the sequence numbers of the records whose counters could not be written. A record that cannot be read is
 * skipped here (the event publisher of the same batch logs it).
 */
export const countRecords = async (
  records: readonly DynamoDBRecord[],
  counters: Pick<CounterRepository, 'record'>,
): Promise<string[]> => {
  const increments: StatsIncrement[] = [];
  const sequences: string[] = [];
  for (const record of records) {
    if (record.eventName !== 'INSERT') continue;
    let increment: StatsIncrement | null = null;
    try {
      const created = createdFromStreamImage(record.dynamodb?.NewImage);
      increment = created && uncountedIncrement(created);
    } catch {
      continue;
    }
    if (!increment) continue;
    increments.push(increment);
    sequences.push(record.dynamodb?.SequenceNumber ?? '');
  }
  const failed = await recordIncrements(counters, increments);
  return [...failed].map((i) => sequences[i]!);
};
