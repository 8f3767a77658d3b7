/** Ory Kratos' web hook body (rendered by our Jsonnet) mapped to a screening, and the exact answers. */
import { describe, expect, it } from 'vitest';
import { KRATOS_MESSAGE_ID, kratosAnswer } from '../../functions/kratos-hook/answer.js';
import { kratosEventSchema, kratosRunOnceKey, kratosScreenInput } from '../../functions/kratos-hook/event.js';
import { type Doc, readFixture } from '../helpers/fixtures.js';
import { MESSAGE, sampleVerdict } from '../helpers/sample-verdict.js';

const body = (): Doc => readFixture('kratos/signup-gate-body.json');
const parse = (doc: unknown) => kratosEventSchema.parse(doc);

describe('the Kratos web hook body', () => {
  it('maps the rendered body: traits, True-Client-Ip, flow_id as source_ref; the nil identity has no subject', () => {
    expect(kratosScreenInput(parse(body()))).toEqual({
      source: 'kratos',
      sourceRef: '9f4ab6a4-3c8e-4b0e-9d3e-1c2b7a6f5e40',
      subjectRef: null,
      email: 'jane@example.com',
      phone: '+33612345678',
      ip: '203.0.113.7',
    });
  });

  it('takes a stored identity id as subject_ref, and ignores the nil UUID sent by an older template', () => {
    const doc = body();
    doc.identity.id = '5a2a8a7c-3c4e-4d63-9b4c-0f1d2e3a4b5c';
    expect(kratosScreenInput(parse(doc)).subjectRef).toBe('5a2a8a7c-3c4e-4d63-9b4c-0f1d2e3a4b5c');
    doc.identity.id = '00000000-0000-0000-0000-000000000000';
    expect(kratosScreenInput(parse(doc)).subjectRef).toBeNull();
  });

  it('runs once per Kratos trigger id (kept across its retries), not per flow', () => {
    expect(kratosRunOnceKey('0b8c7e0e-8f1a-4f57-9b1e-7d3c2a1b0f9e')).toBe(
      '0b8c7e0e-8f1a-4f57-9b1e-7d3c2a1b0f9e',
    );
    expect(kratosRunOnceKey(undefined)).toBeNull();
    expect(kratosRunOnceKey('not a key')).toBeNull();
  });

  it('accepts a body without identity or ip (everything but flow_id is optional)', () => {
    expect(kratosScreenInput(parse({ flow_id: 'f1' }))).toMatchObject({ email: null, phone: null, ip: null });
  });

  it.each([
    ['no flow_id', (d: Doc) => delete d.flow_id],
    ['an empty flow_id', (d: Doc) => (d.flow_id = '')],
    ['traits.email of the wrong type', (d: Doc) => (d.identity.traits.email = { value: 'x' })],
    ['an oversized identity id', (d: Doc) => (d.identity.id = 'x'.repeat(256))],
  ])('refuses %s', (_case, change) => {
    const doc = body();
    change(doc);
    expect(kratosEventSchema.safeParse(doc).success).toBe(false);
  });
});

describe('kratosAnswer', () => {
  it.each(['allow', 'review'] as const)('%s → 200 {}', (decision) => {
    expect(kratosAnswer(sampleVerdict('kratos', decision), MESSAGE)).toEqual({ status: 200, body: {} });
  });

  it('block → 403 with the message on #/traits/email, in the shape Kratos parses', () => {
    expect(kratosAnswer(sampleVerdict('kratos', 'block'), MESSAGE)).toEqual({
      status: 403,
      body: {
        messages: [
          {
            instance_ptr: '#/traits/email',
            messages: [{ id: KRATOS_MESSAGE_ID, text: MESSAGE, type: 'error' }],
          },
        ],
      },
    });
    expect(KRATOS_MESSAGE_ID).toBe(4000001);
  });

  it('follows action: a monitored block answers 200 {}', () => {
    expect(kratosAnswer(sampleVerdict('kratos', 'block', { action: 'allow' }), MESSAGE).status).toBe(200);
  });
});
