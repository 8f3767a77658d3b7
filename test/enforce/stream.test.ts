/**
 * The enforcer's stream loop (shared/enforce/stream.ts): records in order, verdict changes only, and what the stream
 * must deliver again (a transient failure, a thrown run, the time running short) with every record after it.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../shared/core/verdict.js';
import type { ChangeOutcome, Enforcer } from '../../shared/enforce/enforcer.js';
import { enforceRecords, TIME_RESERVE_MS } from '../../shared/enforce/stream.js';
import { verdictToItem } from '../../shared/store/dynamo/codec.js';
import { makeRecord } from '../store/contract.js';

const AT = '2026-11-26T06:00:00.000Z';

const verdictItem = (decision: 'review' | 'block') =>
  verdictToItem({ ...makeRecord({ at: AT, decision }), expiresAt: 0 });

const record = (
  sequence: string,
  eventName: DynamoDBRecord['eventName'],
  images: { old?: Record<string, unknown>; new?: Record<string, unknown> },
): DynamoDBRecord =>
  ({
    eventName,
    dynamodb: { SequenceNumber: sequence, OldImage: images.old, NewImage: images.new },
  }) as DynamoDBRecord;

/** An enforcer answering from a script, recording the verdicts it was handed. */
const scripted = (answers: Array<ChangeOutcome | Error>) => {
  const seen: Array<{ before: Verdict | null; after: Verdict }> = [];
  const enforcer: Enforcer = {
    onChange: async (before, after) => {
      seen.push({ before, after });
      const answer = answers.shift() ?? { outcomes: [], retry: false };
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { enforcer, seen };
};

const options = (remaining: number[] = []) => {
  const unreadable: string[] = [];
  const errors: string[] = [];
  return {
    unreadable,
    errors,
    options: {
      remainingMs: () => remaining.shift() ?? 60_000,
      onUnreadable: (r: DynamoDBRecord) => unreadable.push(r.dynamodb?.SequenceNumber ?? ''),
      onError: (r: DynamoDBRecord) => errors.push(r.dynamodb?.SequenceNumber ?? ''),
    },
  };
};

describe('enforceRecords', () => {
  const a = verdictItem('review');
  const b = verdictItem('block');

  it('hands each verdict change over in order, skipping removals and other items; nothing to retry', async () => {
    const { enforcer, seen } = scripted([]);
    const o = options();
    const marker = { pk: { S: 'M#x' }, sk: { S: 'M' } };
    const retry = await enforceRecords(
      [
        record('1', 'INSERT', { new: a }),
        record('2', 'REMOVE', { old: a }),
        record('3', 'INSERT', { new: marker }),
        record('4', 'MODIFY', { old: a, new: b }),
      ],
      enforcer,
      o.options,
    );
    expect(retry).toEqual([]);
    expect(seen.map((c) => [c.before?.verdict_id ?? null, c.after.verdict_id])).toEqual([
      [null, a.pk!.S!.slice(2)],
      [a.pk!.S!.slice(2), b.pk!.S!.slice(2)],
    ]);
  });

  it('a transient failure: that record and every later one are delivered again, the later ones not tried', async () => {
    const { enforcer, seen } = scripted([
      { outcomes: [], retry: false },
      { outcomes: [], retry: true },
    ]);
    const retry = await enforceRecords(
      [
        record('1', 'INSERT', { new: a }),
        record('2', 'INSERT', { new: b }),
        record('3', 'MODIFY', { old: a, new: a }),
      ],
      enforcer,
      options().options,
    );
    expect(retry).toEqual(['2', '3']);
    expect(seen).toHaveLength(2);
  });

  it('a run that throws is reported and retried from that record', async () => {
    const { enforcer } = scripted([new Error('store down')]);
    const o = options();
    const retry = await enforceRecords(
      [record('1', 'INSERT', { new: a }), record('2', 'INSERT', { new: b })],
      enforcer,
      o.options,
    );
    expect(retry).toEqual(['1', '2']);
    expect(o.errors).toEqual(['1']);
  });

  it('an unreadable record is skipped and reported, the rest go on', async () => {
    const { enforcer, seen } = scripted([]);
    const o = options();
    const broken = { ...a, body: { S: '{not json' } };
    const retry = await enforceRecords(
      [record('1', 'INSERT', { new: broken }), record('2', 'INSERT', { new: b })],
      enforcer,
      o.options,
    );
    expect(retry).toEqual([]);
    expect(o.unreadable).toEqual(['1']);
    expect(seen).toHaveLength(1);
  });

  it('when the time left falls under the reserve, the records not reached are delivered again', async () => {
    const { enforcer, seen } = scripted([]);
    const o = options([60_000, TIME_RESERVE_MS - 1]);
    const retry = await enforceRecords(
      [
        record('1', 'INSERT', { new: a }),
        record('2', 'INSERT', { new: b }),
        record('3', 'INSERT', { new: a }),
      ],
      enforcer,
      o.options,
    );
    expect(retry).toEqual(['2', '3']);
    expect(seen).toHaveLength(1);
  });
});
