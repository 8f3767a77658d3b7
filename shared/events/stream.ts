/**
 * Verdict events in AWS (docs/events.md): the table's stream → EventBridge. Off every request's
 * path; at least once (a record whose events could not be put is reported as a batch item failure, and the stream
 * delivers it again).
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Decision } from '../core/levels.js';
import { verdictFromStreamImage } from '../store/dynamo/codec.js';
import { eventsFor, type VerdictEvent } from './events.js';

/** PutEvents takes at most 10 entries per call. */
export const PUT_EVENTS_BATCH = 10;

/** The events of one stream record: verdict items only (markers, cache, counters and lists make none). */
export const eventsOfRecord = (record: DynamoDBRecord, publish: readonly Decision[]): VerdictEvent[] => {
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return [];
  const after = verdictFromStreamImage(record.dynamodb?.NewImage);
  if (after === null) return [];
  return eventsFor(verdictFromStreamImage(record.dynamodb?.OldImage), after, publish);
};

export const toEntry = (event: VerdictEvent, busName: string): PutEventsRequestEntry => ({
  EventBusName: busName,
  Source: event.source,
  DetailType: event['detail-type'],
  Time: new Date(event.time),
  Detail: JSON.stringify(event.detail),
});

/** Puts up to 10 entries; returns, per entry, whether it failed. */
export type PutEvents = (entries: PutEventsRequestEntry[]) => Promise<boolean[]>;

/**
 * Publishes the events of a batch of stream records; returns the sequence numbers of the records to retry (any of
 * their events failed). A record that cannot be read at all is skipped and logged by the caller, not retried forever.
 */
export const publishRecords = async (
  records: readonly DynamoDBRecord[],
  publish: readonly Decision[],
  busName: string,
  put: PutEvents,
  onUnreadable: (record: DynamoDBRecord, error: unknown) => void,
): Promise<string[]> => {
  const pending: Array<{ sequence: string; entry: PutEventsRequestEntry }> = [];
  for (const record of records) {
    const sequence = record.dynamodb?.SequenceNumber ?? '';
    try {
      for (const event of eventsOfRecord(record, publish))
        pending.push({ sequence, entry: toEntry(event, busName) });
    } catch (error) {
      onUnreadable(record, error);
    }
  }
  const failed = new Set<string>();
  for (let i = 0; i < pending.length; i += PUT_EVENTS_BATCH) {
    const chunk = pending.slice(i, i + PUT_EVENTS_BATCH);
    try {
      const results = await put(chunk.map((item) => item.entry));
      results.forEach((entryFailed, j) => {
        if (entryFailed) failed.add(chunk[j]!.sequence);
      });
    } catch {
      for (const item of chunk) failed.add(item.sequence);
    }
  }
  // Retrying from the first failure re-sends the records after it too: at least once, in order.
  return records.map((r) => r.dynamodb?.SequenceNumber ?? '').filter((sequence) => failed.has(sequence));
};
