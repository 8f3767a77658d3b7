/**
 * `paddleVerifier` against Paddle's own Node SDK (`@paddle/paddle-node-sdk`, a devDependency): the SDK's
 * published test vectors, headers we sign judged by the SDK's `isSignatureValid`, and the same verdict as the
 * SDK on tampered deliveries. The SDK checks only the past, with 5 s of tolerance on the real clock, and keeps
 * only the last `h1`; ours allows 300 s either way on an injected clock and tries every `h1` (Paddle sends one
 * per active key while it rotates).
 */
import { Paddle } from '@paddle/paddle-node-sdk';
import { describe, expect, it } from 'vitest';
import { PADDLE_TOLERANCE_SEC, paddleVerifier, signPaddleBody } from '../../shared/webhooks/paddle.js';
import { expectQuietMessages, refused, signedRequest } from './support.js';

const sdk = new Paddle('pdl_sdbx_apikey_unused_by_these_tests').webhooks;

const OLD = 'pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI';
const NEW = 'pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_a7e4a56cf7c1cd80cb1c735c72bab2aa';
const BODY =
  '{"event_id":"evt_01h8441jx8x1q971q9ksksqh82","event_type":"customer.created","data":{"id":"ctm_1"}}';
const T = 1_764_133_200;
const verify = (header: string | undefined, body = BODY, secrets: readonly string[] = [OLD], now = T) =>
  paddleVerifier.verify(
    signedRequest(header === undefined ? {} : { 'Paddle-Signature': header }, body),
    secrets,
    now,
  );

describe('paddleVerifier and the SDK', () => {
  it("accepts the SDK's own test vectors (webhooks-validator.node.test.ts), other keys such as h2 ignored", () => {
    const vector = 'ts=1698796800;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9';
    expect(verify(vector, '{"data": ["1", "2"]}', ['VALID_SECRET'], 1_698_796_800)).toEqual({ ok: true });
    const twice =
      'ts=1698796800;h1=28981e941fae76e53db32f3d2a83cb69db41476595e84e1970a1b5d98f62b261;h1=28981e941fae76e53db32f3d2a83cb69db41476595e84e1970a1b5d98f62b261;h2=RANDOM_HASH';
    expect(verify(twice, '{"data": "value"}', ['VALID_SECRET'], 1_698_796_800)).toEqual({ ok: true });
    // The SDK's "has more space" case: the same signature does not cover a reformatted body.
    expect(verify(vector, '{ "data": [ "1", "2" ]}', ['VALID_SECRET'], 1_698_796_800)).toEqual(
      refused('mismatch'),
    );
  });

  it('signs headers the SDK accepts, and refuses what the SDK refuses', async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = signPaddleBody([OLD], BODY, now);
    const otherTs = `ts=${now};${signPaddleBody([OLD], BODY, now - 1).split(';')[1]}`;
    const cases: Array<[string, string, string, string]> = [
      ['good', BODY, OLD, good],
      ['tampered body', BODY.replace('ctm_1', 'ctm_2'), OLD, good],
      ['wrong secret', BODY, NEW, good],
      ['signature of another ts', BODY, OLD, otherTs],
      ['body with a trailing newline', `${BODY}\n`, OLD, good],
    ];
    const verdicts = [];
    for (const [name, body, secret, header] of cases) {
      const theirs = await sdk.isSignatureValid(body, secret, header);
      const ours = paddleVerifier.verify(signedRequest({ 'paddle-signature': header }, body), [secret], now);
      verdicts.push({ name, theirs, ours: ours.ok });
    }
    expect(verdicts.map(({ name, theirs }) => [name, theirs])).toEqual([
      ['good', true],
      ['tampered body', false],
      ['wrong secret', false],
      ['signature of another ts', false],
      ['body with a trailing newline', false],
    ]);
    for (const { theirs, ours } of verdicts) expect(ours).toBe(theirs);
  });
});

describe('paddleVerifier', () => {
  const good = signPaddleBody([OLD], BODY, T);

  it('answers 400 invalid_signature, as for Stripe', () => {
    expect(paddleVerifier.failure).toEqual({ status: 400, code: 'invalid_signature' });
  });

  it('accepts a good signature and refuses a body changed by one byte', () => {
    expect(verify(good)).toEqual({ ok: true });
    expect(verify(good, BODY.replace('"ctm_1"', '"ctm_1 "'))).toEqual(refused('mismatch'));
  });

  it('rotation: accepts one h1 per secret in any order, against either active secret', () => {
    const both = signPaddleBody([NEW, OLD], BODY, T);
    expect(both.split(';h1=')).toHaveLength(3);
    expect(verify(both, BODY, [OLD])).toEqual({ ok: true });
    expect(verify(both, BODY, [NEW])).toEqual({ ok: true });
    expect(verify(good, BODY, [NEW, OLD])).toEqual({ ok: true });
    expect(verify(good, BODY, [NEW])).toEqual(refused('mismatch'));
  });

  it.each([
    [-PADDLE_TOLERANCE_SEC, { ok: true }],
    [-PADDLE_TOLERANCE_SEC - 1, refused('future')],
    [PADDLE_TOLERANCE_SEC, { ok: true }],
    [PADDLE_TOLERANCE_SEC + 1, refused('stale')],
  ])('with our clock %i s from ts: %j', (offset, expected) => {
    expect(verify(good, BODY, [OLD], T + offset)).toEqual(expected);
  });

  it('checks the clock before the secrets, and refuses a stale or future header even when it matches', () => {
    expect(verify(signPaddleBody([OLD], BODY, T - 3600))).toEqual(refused('stale'));
    expect(verify(signPaddleBody([OLD], BODY, T + 3600))).toEqual(refused('future'));
  });

  it.each([
    ['no h1', `ts=${T}`],
    ['no ts', `h1=${'a'.repeat(64)}`],
    ['two ts', `ts=${T};ts=${T};h1=${'a'.repeat(64)}`],
    ['a ts that is not digits', `ts=${T}.5;h1=${'a'.repeat(64)}`],
    ['an h1 that is not hex', `ts=${T};h1=${'z'.repeat(64)}`],
    ['an empty part', `ts=${T};;h1=${'a'.repeat(64)}`],
    ['a part without =', `ts=${T};h1`],
    ['commas instead of semicolons', `ts=${T},h1=${'a'.repeat(64)}`],
    ['nine h1', `ts=${T}${`;h1=${'a'.repeat(64)}`.repeat(9)}`],
    ['an oversized header', `ts=${T};h1=${'a'.repeat(64)};x=${'b'.repeat(1024)}`],
  ])('refuses %s as malformed', (_case, header) => {
    expect(verify(header)).toEqual(refused('malformed'));
  });

  it('refuses a short h1 as a mismatch (compared like any other), and a missing or blank header', () => {
    expect(verify(`ts=${T};h1=deadbeef`)).toEqual(refused('mismatch'));
    expect(verify(undefined)).toEqual(refused('missing'));
    expect(verify('  ')).toEqual(refused('missing'));
  });

  it('refuses everything without a usable secret (a blank secret never signs)', () => {
    expect(verify(good, BODY, [])).toEqual(refused('no_secrets'));
    expect(verify(signPaddleBody([''], BODY, T), BODY, [''])).toEqual(refused('no_secrets'));
  });

  it('refuses a ts that is not whole seconds when signing', () => {
    expect(() => signPaddleBody([OLD], BODY, 1.5)).toThrow(RangeError);
  });

  it('has a message for every reason that echoes no secret', () => {
    expectQuietMessages(paddleVerifier, [OLD, NEW]);
  });
});
