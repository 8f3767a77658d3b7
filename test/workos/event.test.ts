/** WorkOS' registration Action: the SDK's fixture mapped to a screening, and the (SDK-signed) answers. */
import { WorkOS } from '@workos-inc/node';
import { describe, expect, it } from 'vitest';
import { workosAnswer } from '../../functions/workos-hook/answer.js';
import { workosEventSchema, workosRunOnceKey, workosScreenInput } from '../../functions/workos-hook/event.js';
import { signWorkosResponse } from '../../functions/workos-hook/sign-response.js';
import { type Doc, readFixture } from '../helpers/fixtures.js';
import { MESSAGE, sampleVerdict } from '../helpers/sample-verdict.js';

const SECRET = 'workos-actions-secret-d41f';
const context = (): Doc => readFixture('workos/user-registration-action-context.json');
const parse = (doc: unknown) => workosEventSchema.parse(doc);

describe('the WorkOS registration Action request', () => {
  it("maps the SDK's fixture: email, IP, the Action id as source_ref and run-once key, no subject", () => {
    const event = parse(context());
    expect(workosScreenInput(event)).toEqual({
      source: 'workos',
      sourceRef: '01JATCMZJY26PQ59XT9BNT0FNN',
      subjectRef: null,
      email: 'jane@foocorp.com',
      phone: null,
      ip: '50.141.123.10',
    });
    expect(workosRunOnceKey(event)).toBe('01JATCMZJY26PQ59XT9BNT0FNN');
  });

  it.each([
    ['an authentication Action', (d: Doc) => (d.object = 'authentication_action_context')],
    ['no id', (d: Doc) => delete d.id],
    ['an email of the wrong type', (d: Doc) => (d.user_data.email = ['jane@foocorp.com'])],
  ])('refuses %s', (_case, change) => {
    const doc = context();
    change(doc);
    expect(workosEventSchema.safeParse(doc).success).toBe(false);
  });
});

describe('the WorkOS answer', () => {
  it.each(['allow', 'review'] as const)('%s → Allow', (decision) => {
    expect(workosAnswer(sampleVerdict('workos', decision), MESSAGE)).toEqual({
      type: 'user_registration',
      verdict: 'Allow',
    });
  });

  it('block → Deny with the user message; a monitored block → Allow', () => {
    expect(workosAnswer(sampleVerdict('workos', 'block'), MESSAGE)).toEqual({
      type: 'user_registration',
      verdict: 'Deny',
      errorMessage: MESSAGE,
    });
    expect(workosAnswer(sampleVerdict('workos', 'block', { action: 'allow' }), MESSAGE).verdict).toBe(
      'Allow',
    );
  });

  it("is signed by the SDK as a user_registration_action_response the SDK's own check accepts", async () => {
    const signed = await signWorkosResponse(workosAnswer(sampleVerdict('workos', 'block'), MESSAGE), SECRET);
    expect(signed.object).toBe('user_registration_action_response');
    expect(signed.payload).toMatchObject({ verdict: 'Deny', error_message: MESSAGE });
    expect(signed.signature).toMatch(/^[0-9a-f]{64}$/);
    const sdk = new WorkOS({ clientId: 'client_signup_gate_tests' });
    await expect(
      sdk.actions.verifyHeader({
        payload: signed.payload,
        sigHeader: `t=${signed.payload.timestamp}, v1=${signed.signature}`,
        secret: SECRET,
      }),
    ).resolves.toBe(true);
    await expect(
      sdk.actions.verifyHeader({
        payload: signed.payload,
        sigHeader: `t=${signed.payload.timestamp}, v1=${signed.signature}`,
        secret: 'another-secret',
      }),
    ).rejects.toThrow();
  });

  it('an Allow carries no error_message', async () => {
    const signed = await signWorkosResponse(workosAnswer(sampleVerdict('workos', 'allow'), MESSAGE), SECRET);
    expect(signed.payload).not.toHaveProperty('error_message');
    expect(signed.payload.verdict).toBe('Allow');
  });
});
