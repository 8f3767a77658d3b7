/** The deflated verdict body (shared/store/dynamo/verdict-body.ts): round trip, older text bodies, stream images, size. */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { type DynamoItem, itemBytes } from '../../bench/lib/capacity.js';
import { itemToVerdict, verdictFromStreamImage, verdictToItem } from '../../shared/store/dynamo/codec.js';
import { encodeVerdictBody, verdictBodyText } from '../../shared/store/dynamo/verdict-body.js';
import { makeRecord, START_MS } from './contract.js';

/** A verdict as a fresh email screening stores it: a masked email and the checks Defastra returned. */
const typicalRecord = () => {
  const record = makeRecord({ at: START_MS, decision: 'review', emailHash: 'a'.repeat(43), phoneHash: null });
  const email = record.verdict.email;
  if (email === null) throw new Error('the record has an email');
  email.request_id = '7f3c1b2e-5d4a-4e8f-9b6c-0a1d2e3f4a5b';
  email.checks = [
    {
      code: 'EMAIL_DISPOSABLE',
      result_type: 'trust',
      detail: 'The address is not listed on any temporary mail service',
    },
    { code: 'EMAIL_DELIVERABILITY', result_type: 'trust', detail: 'The mailbox exists and accepts mail' },
    { code: 'EMAIL_ALIAS', result_type: 'neutral', detail: 'No alias pattern in the address' },
    {
      code: 'EMAIL_ONLINE_VELOCITY',
      result_type: 'trust',
      detail: 'The address is registered on 14 online services',
    },
    { code: 'EMAIL_DATA_BREACH', result_type: 'neutral', detail: 'The address appears in 2 data breaches' },
    {
      code: 'EMAIL_MAIN_PROVIDER',
      result_type: 'trust',
      detail: 'A real account exists at the mail provider',
    },
  ];
  return record;
};

describe('verdict body codec', () => {
  it('stores a typical email verdict in under 1 KB (one write unit) and reads it back unchanged', () => {
    const record = typicalRecord();
    const item = verdictToItem(record);
    const { review: _review, ...body } = record.verdict;
    expect(itemBytes(item as DynamoItem)).toBeLessThan(1024);
    expect(JSON.stringify(body).length).toBeGreaterThan(1024); // as text, the body alone would not fit
    expect(itemToVerdict(item)).toEqual(record.verdict);
  });

  it('reads bodies written before as JSON text', () => {
    const record = typicalRecord();
    const { review: _review, ...body } = record.verdict;
    const item = { ...verdictToItem(record), body: { S: JSON.stringify(body) } };
    expect(itemToVerdict(item)).toEqual(record.verdict);
  });

  it('reads a stream image, where the bytes arrive as base64 text', () => {
    const record = typicalRecord();
    const item = verdictToItem(record);
    const bytes = item.body?.B;
    if (bytes === undefined) throw new Error('binary body expected');
    const image = { ...item, body: { B: Buffer.from(bytes).toString('base64') } };
    expect(verdictFromStreamImage(image)).toEqual(record.verdict);
  });

  it('refuses a body of an unknown format instead of guessing', () => {
    const encoded = encodeVerdictBody({ verdict_id: 'X' });
    const bytes = Uint8Array.from(encoded.B ?? []);
    expect(verdictBodyText({ B: bytes })).toBe('{"verdict_id":"X"}');
    bytes[0] = 2;
    expect(() => verdictBodyText({ B: bytes } as AttributeValue)).toThrow(/unknown format \(2\)/);
  });
});
