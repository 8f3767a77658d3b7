/**
 * Verdict events (docs/events.md): which changes make which events, the local change feed, and the stream consumer's
 * batch handling. EventBridge cannot run here: its PutEvents is replaced by a recording function (the only stand-in).
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { Outcome, Review, Verdict } from '../../shared/core/verdict.js';
import { withChangeFeed } from '../../shared/events/change-feed.js';
import { eventsFor } from '../../shared/events/events.js';
import { eventsOfRecord, PUT_EVENTS_BATCH, publishRecords } from '../../shared/events/stream.js';
import { cachedToItem, outcomeAttributes, verdictToItem } from '../../shared/store/dynamo/codec.js';
import { markerKey } from '../../shared/store/dynamo/keys.js';
import { createMemoryStore } from '../../shared/store/memory.js';
import { makeRecord } from '../store/contract.js';

const verdictOf = (decision: Verdict['decision'], i = 0) =>
  makeRecord({ at: Date.parse('2026-11-30T10:00:00.000Z') + i, decision });
const review: Review = {
  outcome: 'reject',
  note: null,
  reviewed_at: '2026-11-30T11:00:00.000Z',
  reviewed_by: 'local',
};
const PUBLISH = ['review', 'block'] as const;
const outcome: Outcome = {
  label: 'fraud',
  source: 'stripe',
  note: 'charge.dispute.created evt_1',
  labelled_at: '2026-12-20T09:00:00.000Z',
  labelled_by: 'stripe',
};

describe('eventsFor', () => {
  it('creates Verdict Created for a published decision, with the verdict as detail', () => {
    const { verdict } = verdictOf('block');
    expect(eventsFor(null, verdict, PUBLISH)).toEqual([
      {
        id: `${verdict.verdict_id}:created`,
        time: verdict.created_at,
        'detail-type': 'Verdict Created',
        source: 'signup-gate',
        detail: verdict,
      },
    ]);
    expect(eventsFor(null, verdictOf('allow').verdict, PUBLISH)).toEqual([]);
    expect(eventsFor(null, verdictOf('allow').verdict, ['allow'])).toHaveLength(1);
  });

  it('creates Verdict Reviewed for every review, whatever the decision, and nothing for a rewrite', () => {
    const { verdict } = verdictOf('allow');
    const reviewed = { ...verdict, review };
    expect(eventsFor(verdict, reviewed, PUBLISH).map((e) => [e['detail-type'], e.id, e.time])).toEqual([
      ['Verdict Reviewed', `${verdict.verdict_id}:reviewed:${review.reviewed_at}`, review.reviewed_at],
    ]);
    expect(eventsFor(reviewed, reviewed, PUBLISH)).toEqual([]);
    const again = {
      ...verdict,
      review: { ...review, outcome: 'approve' as const, reviewed_at: '2026-11-30T12:00:00.000Z' },
    };
    expect(eventsFor(reviewed, again, PUBLISH)).toHaveLength(1);
  });

  it('creates Verdict Labelled for a new label, whatever the decision, and nothing when the label says the same', () => {
    const { verdict } = verdictOf('allow');
    const labelled = { ...verdict, outcome };
    expect(eventsFor(verdict, labelled, PUBLISH)).toEqual([
      {
        id: `${verdict.verdict_id}:labelled:${outcome.labelled_at}`,
        time: outcome.labelled_at,
        'detail-type': 'Verdict Labelled',
        source: 'signup-gate',
        detail: labelled,
      },
    ]);
    expect(eventsFor(labelled, labelled, PUBLISH)).toEqual([]);
    // Another update of a labelled verdict (a review) is not a label.
    expect(eventsFor(labelled, { ...labelled, review }, PUBLISH).map((e) => e['detail-type'])).toEqual([
      'Verdict Reviewed',
    ]);
    const relabelled = {
      ...verdict,
      outcome: { ...outcome, label: 'legit' as const, labelled_at: '2026-12-21T00:00:00.000Z' },
    };
    expect(eventsFor(labelled, relabelled, PUBLISH).map((e) => e.id)).toEqual([
      `${verdict.verdict_id}:labelled:2026-12-21T00:00:00.000Z`,
    ]);
  });

  it('creates Verdict Enforced when an enforcement ends (done, failed, undone), never while it is pending', () => {
    const reviewed = { ...verdictOf('review').verdict, review };
    const at = '2026-11-30T11:00:05.000Z';
    const pending = {
      ...reviewed,
      enforcement: { status: 'pending' as const, action: 'block' as const, at },
    };
    expect(eventsFor(reviewed, pending, PUBLISH)).toEqual([]);
    const done = { ...reviewed, enforcement: { status: 'done' as const, action: 'block' as const, at } };
    expect(eventsFor(pending, done, PUBLISH)).toEqual([
      {
        id: `${reviewed.verdict_id}:enforced:block:done:${at}`,
        time: at,
        'detail-type': 'Verdict Enforced',
        source: 'signup-gate',
        detail: done,
      },
    ]);
    expect(eventsFor(done, done, PUBLISH)).toEqual([]);
    const failed = {
      ...done,
      enforcement: { ...done.enforcement, status: 'failed' as const, error: 'http_403' },
    };
    expect(eventsFor(pending, failed, PUBLISH).map((e) => e['detail-type'])).toEqual(['Verdict Enforced']);
    const undone = { ...done, enforcement: { status: 'undone' as const, action: 'unblock' as const, at } };
    expect(eventsFor(done, undone, PUBLISH).map((e) => e.id)).toEqual([
      `${reviewed.verdict_id}:enforced:unblock:undone:${at}`,
    ]);
  });
});

describe('the local change feed', () => {
  it('reports saved verdicts and reviews after the write, and nothing for a failed write', async () => {
    const seen: Array<[string | null, string]> = [];
    const verdicts = withChangeFeed(createMemoryStore().verdicts, (before, after) =>
      seen.push([before?.review?.outcome ?? (before ? 'unreviewed' : null), after.review?.outcome ?? 'new']),
    );
    const record = verdictOf('review');
    await verdicts.save(record);
    await verdicts.review(record.verdict.verdict_id, review);
    expect(await verdicts.review('01JDX3K8Y0Q5W6Z8N2M4P6R8T0', review)).toBeNull();
    const done = { status: 'done' as const, action: 'block' as const, at: review.reviewed_at };
    await verdicts.setEnforcement(record.verdict.verdict_id, done);
    expect(await verdicts.setEnforcement('01JDX3K8Y0Q5W6Z8N2M4P6R8T0', done)).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual([
      [null, 'new'],
      ['unreviewed', 'reject'],
      ['reject', 'reject'],
    ]);
  });

  it('reports a new label with the verdict before it, and nothing for the same label again', async () => {
    const seen: Array<[string | null, string | null]> = [];
    const verdicts = withChangeFeed(createMemoryStore().verdicts, (before, after) =>
      seen.push([before?.outcome?.label ?? null, after.outcome?.label ?? null]),
    );
    const record = verdictOf('allow');
    await verdicts.save(record);
    await verdicts.label(record.verdict.verdict_id, outcome);
    await verdicts.label(record.verdict.verdict_id, { ...outcome, labelled_at: '2026-12-22T00:00:00.000Z' });
    await verdicts.label(record.verdict.verdict_id, { ...outcome, label: 'legit' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual([
      [null, null],
      [null, 'fraud'],
      ['fraud', 'legit'],
    ]);
  });

  it('never lets a failing listener fail the write', async () => {
    const verdicts = withChangeFeed(createMemoryStore().verdicts, () => {
      throw new Error('listener broke');
    });
    await expect(verdicts.save(verdictOf('block'))).resolves.toBeUndefined();
  });
});

/** A stream record as DynamoDB Streams delivers it (NEW_AND_OLD_IMAGES), built from real items. */
const streamRecord = (
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  sequence: string,
  newImage: Record<string, unknown> | undefined,
  oldImage?: Record<string, unknown>,
): DynamoDBRecord =>
  ({
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      SequenceNumber: sequence,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ...(newImage ? { NewImage: newImage, Keys: { pk: newImage.pk, sk: newImage.sk } } : {}),
      ...(oldImage ? { OldImage: oldImage } : {}),
    },
  }) as DynamoDBRecord;

describe('the stream consumer', () => {
  it('makes events of verdict items only (INSERT, review MODIFY), never of markers, cache or counters', () => {
    const record = verdictOf('block');
    const item = verdictToItem(record);
    const reviewedItem = { ...item, review: { S: JSON.stringify(review) } };
    expect(eventsOfRecord(streamRecord('INSERT', '1', item), PUBLISH).map((e) => e['detail-type'])).toEqual([
      'Verdict Created',
    ]);
    expect(
      eventsOfRecord(streamRecord('MODIFY', '2', reviewedItem, item), PUBLISH).map((e) => e['detail-type']),
    ).toEqual(['Verdict Reviewed']);
    expect(eventsOfRecord(streamRecord('REMOVE', '3', undefined, item), PUBLISH)).toEqual([]);
    const labelledItem = { ...item, ...outcomeAttributes(outcome) };
    const labelled = eventsOfRecord(streamRecord('MODIFY', '6', labelledItem, item), PUBLISH);
    expect(labelled.map((e) => e['detail-type'])).toEqual(['Verdict Labelled']);
    expect(labelled[0]?.detail.outcome).toEqual(outcome);
    const cache = cachedToItem(
      'email',
      'h',
      { riskLevel: 'low', riskScore: 1, requestId: 'R', checks: [], checkedAt: 0 },
      9,
    );
    expect(eventsOfRecord(streamRecord('INSERT', '4', cache), PUBLISH)).toEqual([]);
    expect(eventsOfRecord(streamRecord('INSERT', '5', { ...markerKey('api', 'k') }), PUBLISH)).toEqual([]);
  });

  it('puts at most 10 entries per call on the bus, and reports only the records whose events failed', async () => {
    const records = Array.from({ length: 23 }, (_, i) =>
      streamRecord('INSERT', String(100 + i), verdictToItem(verdictOf('block', i))),
    );
    const calls: number[] = [];
    const retry = await publishRecords(
      records,
      PUBLISH,
      'SignupGate-verdicts',
      async (entries) => {
        calls.push(entries.length);
        for (const entry of entries) {
          expect(entry).toMatchObject({ EventBusName: 'SignupGate-verdicts', Source: 'signup-gate' });
          expect(JSON.parse(entry.Detail!)).toHaveProperty('verdict_id');
        }
        // The third entry of the second call fails (throttled).
        return entries.map((_e, j) => calls.length === 2 && j === 2);
      },
      () => undefined,
    );
    expect(calls).toEqual([10, 10, 3]);
    expect(Math.max(...calls)).toBeLessThanOrEqual(PUT_EVENTS_BATCH);
    expect(retry).toEqual(['112']);
  });

  it('retries every record of a call that failed outright, and skips (and reports) an unreadable one', async () => {
    const good = streamRecord('INSERT', '7', verdictToItem(verdictOf('review')));
    const broken = streamRecord('INSERT', '8', { pk: { S: 'V#X' }, sk: { S: 'V' }, body: { S: 'not json' } });
    const unreadable: string[] = [];
    const retry = await publishRecords(
      [good, broken],
      PUBLISH,
      'bus',
      async () => {
        throw new Error('EventBridge unavailable');
      },
      (record) => unreadable.push(record.dynamodb?.SequenceNumber ?? ''),
    );
    expect(retry).toEqual(['7']);
    expect(unreadable).toEqual(['8']);
  });
});
