/**
 * `shared/webhooks/standard-webhooks.ts`: Standard Webhooks verification as Supabase Auth signs (docs/supabase.md).
 * Signatures are made two ways: with the `standardwebhooks` library (what Supabase's Go server uses, same
 * algorithm) and independently with node:crypto from the specification, so the verifier is checked against
 * the spec, not only against itself.
 */
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  signStandardWebhook,
  verifyStandardWebhook,
  webhookForSecret,
} from '../../shared/webhooks/standard-webhooks.js';

/** Two secrets in the dashboard's display form: `v1,whsec_` + base64 of 32 random bytes. */
const SECRET = 'v1,whsec_dGVzdC1zdXBhYmFzZS1zZWNyZXQtMDEyMzQ1Njc4OWFiY2Q=';
const OTHER = 'v1,whsec_b3RoZXItc3VwYWJhc2Utc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWY=';
const ID = '8b34dcdd-9df1-4c10-850a-b3277c653040';
const T = 1_764_133_200;
const BODY = '{"metadata":{"name":"before-user-created"},"user":{"email":"low@example.com"}}';

/** The spec: base64(HMAC-SHA256(base64decode(secret after whsec_), "<id>.<t>.<body>")). */
const specSignature = (secret: string, id: string, t: number, body: string): string => {
  const key = Buffer.from(secret.replace(/^v1,/, '').replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${t}.${body}`).digest('base64')}`;
};

const headers = (signature: string, id = ID, t = T) => ({ id, timestamp: String(t), signature });

describe('signStandardWebhook', () => {
  it('signs as the specification says, one v1 per secret joined by ", " (as Supabase Auth does)', () => {
    const signed = signStandardWebhook([SECRET, OTHER], ID, T, BODY);
    expect(signed).toEqual({
      'webhook-id': ID,
      'webhook-timestamp': String(T),
      'webhook-signature': `${specSignature(SECRET, ID, T, BODY)}, ${specSignature(OTHER, ID, T, BODY)}`,
    });
  });
});

describe('verifyStandardWebhook', () => {
  const good = specSignature(SECRET, ID, T, BODY);

  it('accepts a signature made from the specification', () => {
    expect(verifyStandardWebhook(headers(good), BODY, [SECRET], T)).toEqual({ ok: true, id: ID });
  });

  it('accepts a signature made by the standardwebhooks library itself', () => {
    const signature = new Webhook(SECRET.slice(3)).sign(ID, new Date(T * 1000), BODY);
    expect(verifyStandardWebhook(headers(signature), BODY, [SECRET], T).ok).toBe(true);
  });

  it.each([
    ['as Supabase shows it (v1,whsec_...)', SECRET],
    ['without the v1,', SECRET.slice(3)],
    ['as bare base64', SECRET.slice(9)],
    ['with spaces around it', `  ${SECRET} `],
  ])('takes the secret %s', (_case, secret) => {
    expect(verifyStandardWebhook(headers(good), BODY, [secret], T).ok).toBe(true);
  });

  it('accepts any active secret (rotation), whichever of several signatures matches', () => {
    expect(verifyStandardWebhook(headers(good), BODY, [OTHER, SECRET], T).ok).toBe(true);
    const both = `${specSignature(OTHER, ID, T, BODY)}, ${good}`;
    expect(verifyStandardWebhook(headers(both), BODY, [SECRET], T).ok).toBe(true);
    expect(
      verifyStandardWebhook(headers(`${good} ${specSignature(OTHER, ID, T, BODY)}`), BODY, [OTHER], T).ok,
    ).toBe(true);
  });

  it('refuses another secret, another body, another id, another timestamp', () => {
    const mismatch = { ok: false, reason: 'mismatch' };
    expect(verifyStandardWebhook(headers(good), BODY, [OTHER], T)).toEqual(mismatch);
    expect(verifyStandardWebhook(headers(good), `${BODY} `, [SECRET], T)).toEqual(mismatch);
    expect(verifyStandardWebhook(headers(good, `${ID}0`), BODY, [SECRET], T)).toEqual(mismatch);
    expect(verifyStandardWebhook(headers(good, ID, T + 1), BODY, [SECRET], T)).toEqual(mismatch);
  });

  it.each([
    ['a v1a (asymmetric) signature only', `v1a,${good.slice(3)}`],
    ['a truncated signature', good.slice(0, 20)],
    ['v1 with nothing after the comma', 'v1,'],
  ])('refuses %s', (_case, signature) => {
    expect(verifyStandardWebhook(headers(signature), BODY, [SECRET], T).ok).toBe(false);
  });

  it.each([
    [-300, true],
    [-301, false],
    [300, true],
    [301, false],
  ])('with the timestamp off by %i s: ok=%s (5 minutes either way)', (offset, ok) => {
    const result = verifyStandardWebhook(headers(good), BODY, [SECRET], T - offset);
    expect(result.ok).toBe(ok);
    if (!ok) expect(result).toEqual({ ok: false, reason: offset > 0 ? 'future' : 'stale' });
  });

  it.each([
    ['no id', { id: undefined, timestamp: String(T), signature: good }],
    ['no timestamp', { id: ID, timestamp: undefined, signature: good }],
    ['no signature', { id: ID, timestamp: String(T), signature: undefined }],
    ['an empty signature', { id: ID, timestamp: String(T), signature: ' ' }],
  ])('reports missing headers (%s)', (_case, h) => {
    expect(verifyStandardWebhook(h, BODY, [SECRET], T)).toEqual({ ok: false, reason: 'missing' });
  });

  it.each([
    ['a timestamp in milliseconds', headers(good, ID, T * 1000)],
    ['a non-numeric timestamp', { id: ID, timestamp: 'now', signature: good }],
    ['a timestamp with a suffix (parseInt would take it)', { id: ID, timestamp: `${T}abc`, signature: good }],
    ['an id with a space', headers(good, 'msg 1')],
    ['an id of 256 characters', headers(good, 'a'.repeat(256))],
    ['an id with a newline', headers(good, 'msg\n1')],
    ['a signature without any v1,', { id: ID, timestamp: String(T), signature: 'sha256=abc' }],
    ['an oversized signature header', { id: ID, timestamp: String(T), signature: `${good} `.repeat(100) }],
  ])('reports malformed headers (%s)', (_case, h) => {
    expect(verifyStandardWebhook(h, BODY, [SECRET], T)).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['no secret', []],
    ['only unusable secrets', ['', 'v1a,whsec_abc', 'v1,whsec_###', 'v1,']],
  ])('refuses everything with %s', (_case, secrets) => {
    expect(verifyStandardWebhook(headers(good), BODY, secrets, T)).toEqual({
      ok: false,
      reason: 'no_secrets',
    });
  });

  it('skips an unusable secret beside a good one', () => {
    expect(verifyStandardWebhook(headers(good), BODY, ['v1,whsec_###', SECRET], T).ok).toBe(true);
  });
});

describe('webhookForSecret', () => {
  it.each([
    ['', null],
    ['v1,', null],
    ['v1a,whsec_c2VjcmV0', null],
    ['v1,whsec_not base64!', null],
  ])('refuses %j', (secret, expected) => {
    expect(webhookForSecret(secret)).toBe(expected);
  });

  it('builds a verifier for the display form', () => {
    expect(webhookForSecret(SECRET)).toBeInstanceOf(Webhook);
  });
});
