/**
 * `workosVerifier` against the official `@workos-inc/node` SDK: what the SDK's `actions.verifyHeader` accepts
 * and refuses, ours does too (on the SDK's own fixture); a signature the SDK computes (its signed response)
 * verifies with ours; plus the clock, rotation and malformed headers on an injected clock.
 */
import { WorkOS } from '@workos-inc/node';
import { describe, expect, it } from 'vitest';
import {
  signWorkosBody,
  WORKOS_TOLERANCE_MS,
  workosSigningSecret,
  workosVerifier,
} from '../../shared/webhooks/workos.js';
import { fixtureText } from '../helpers/fixtures.js';
import { expectQuietMessages, refused, signedRequest } from './support.js';

/** The SDK needs an API key or a client id to be built; the Actions helpers use neither. */
const sdk = new WorkOS({ clientId: 'client_signup_gate_tests' });

const OLD = 'workos-actions-secret-old-d41f';
const NEW = 'workos-actions-secret-new-93a0';
const PRETTY = fixtureText('workos/user-registration-action-context.json');
const BODY = JSON.stringify(JSON.parse(PRETTY));
const T_MS = 1_764_133_200_000;
const NOW = T_MS / 1000;

const verify = (header: string | undefined, body = BODY, secrets: readonly string[] = [OLD], now = NOW) =>
  workosVerifier.verify(
    signedRequest(header === undefined ? {} : { 'WorkOS-Signature': header }, body),
    secrets,
    now,
  );

/** True when the SDK's `verifyHeader` accepts the header for the parsed body at the real clock. */
const sdkAccepts = async (header: string, body: string, secret: string): Promise<boolean> =>
  sdk.actions
    .verifyHeader({ payload: JSON.parse(body), sigHeader: header, secret })
    .then(() => true)
    .catch(() => false);

describe('workosVerifier and the SDK', () => {
  it('agrees with actions.verifyHeader on good and tampered requests', async () => {
    const nowMs = Date.now();
    const now = Math.floor(nowMs / 1000);
    const good = signWorkosBody(OLD, BODY, nowMs);
    const cases: Array<[string, string, string, string]> = [
      ['good', good, BODY, OLD],
      ['good, body sent pretty-printed', good, PRETTY, OLD],
      ['tampered email', good, BODY.replace('jane@foocorp.com', 'john@foocorp.com'), OLD],
      ['wrong secret', good, BODY, NEW],
      ['another time in t', good.replace(`t=${nowMs}`, `t=${nowMs - 1}`), BODY, OLD],
    ];
    const verdicts = [];
    for (const [name, header, body, secret] of cases) {
      const theirs = await sdkAccepts(header, body, secret);
      const ours = workosVerifier.verify(
        signedRequest({ 'workos-signature': header }, body),
        [secret],
        now,
      ).ok;
      verdicts.push({ name, theirs, ours });
    }
    expect(verdicts.map(({ name, theirs }) => [name, theirs])).toEqual([
      ['good', true],
      ['good, body sent pretty-printed', true],
      ['tampered email', false],
      ['wrong secret', false],
      ['another time in t', false],
    ]);
    for (const { name, theirs, ours } of verdicts) expect({ name, ours }).toEqual({ name, ours: theirs });
  });

  it("accepts a signature the SDK computed: its signed response's payload, signature and timestamp", async () => {
    const response = await sdk.actions.signResponse(
      { type: 'user_registration', verdict: 'Deny', errorMessage: 'We could not complete your sign-up.' },
      OLD,
    );
    const header = `t=${response.payload.timestamp}, v1=${response.signature}`;
    const now = Math.floor(response.payload.timestamp / 1000);
    expect(verify(header, JSON.stringify(response.payload), [OLD], now)).toEqual({ ok: true });
    expect(verify(header, JSON.stringify(response.payload), [NEW], now)).toEqual(refused('mismatch'));
  });
});

describe('workosVerifier', () => {
  const good = signWorkosBody(OLD, BODY, T_MS);

  it('answers 401 unauthorized', () => {
    expect(workosVerifier.failure).toEqual({ status: 401, code: 'unauthorized' });
  });

  it('accepts the compact body, the body as sent, and a header without the space after the comma', () => {
    expect(verify(good)).toEqual({ ok: true });
    expect(verify(good, PRETTY)).toEqual({ ok: true });
    expect(verify(good.replace(', ', ','))).toEqual({ ok: true });
  });

  it('refuses a body that is not JSON unless the signature covers it as sent', () => {
    expect(verify(good, `${BODY}}`)).toEqual(refused('mismatch'));
  });

  it('rotation: either active secret, and tells which one vouched (to sign the answer with it)', () => {
    const signedNew = signWorkosBody(NEW, BODY, T_MS);
    expect(verify(signedNew, BODY, [OLD, NEW])).toEqual({ ok: true });
    expect(verify(good, BODY, [OLD, NEW])).toEqual({ ok: true });
    const request = (header: string) => signedRequest({ 'WorkOS-Signature': header }, BODY);
    expect(workosSigningSecret(request(signedNew), [OLD, NEW], NOW)).toBe(NEW);
    expect(workosSigningSecret(request(good), [OLD, NEW], NOW)).toBe(OLD);
    expect(workosSigningSecret(request(good), [NEW], NOW)).toBeNull();
  });

  it.each([
    [-WORKOS_TOLERANCE_MS, { ok: true }],
    [-WORKOS_TOLERANCE_MS - 1000, refused('future')],
    [WORKOS_TOLERANCE_MS, { ok: true }],
    [WORKOS_TOLERANCE_MS + 1000, refused('stale')],
  ])('with our clock %i ms from t: %j', (offsetMs, expected) => {
    expect(verify(good, BODY, [OLD], (T_MS + offsetMs) / 1000)).toEqual(expected);
  });

  it('reads t as milliseconds: a t in seconds is stale', () => {
    expect(verify(signWorkosBody(OLD, BODY, NOW))).toEqual(refused('stale'));
  });

  it.each([
    ['no t', `v1=${'a'.repeat(64)}`],
    ['no v1', `t=${T_MS}`],
    ['two t', `t=${T_MS}, t=${T_MS}, v1=${'a'.repeat(64)}`],
    ['a t with a dot', `t=${T_MS}.5, v1=${'a'.repeat(64)}`],
    ['a v1 that is not hex', `t=${T_MS}, v1=${'x'.repeat(64)}`],
    ['semicolons', `t=${T_MS}; v1=${'a'.repeat(64)}`],
    ['nine v1', `t=${T_MS}${`, v1=${'a'.repeat(64)}`.repeat(9)}`],
    ['an oversized header', `t=${T_MS}, v1=${'a'.repeat(64)}, x=${'b'.repeat(1024)}`],
  ])('refuses %s as malformed', (_case, header) => {
    expect(verify(header)).toEqual(refused('malformed'));
  });

  it('refuses a missing or blank header, a short v1, and everything without a usable secret', () => {
    expect(verify(undefined)).toEqual(refused('missing'));
    expect(verify(' ')).toEqual(refused('missing'));
    expect(verify(`t=${T_MS}, v1=deadbeef`)).toEqual(refused('mismatch'));
    expect(verify(good, BODY, [])).toEqual(refused('no_secrets'));
    expect(verify(signWorkosBody('', BODY, T_MS), BODY, [''])).toEqual(refused('no_secrets'));
  });

  it('has a message for every reason that echoes no secret', () => {
    expectQuietMessages(workosVerifier, [OLD, NEW]);
  });
});
