/** Okta's registration inline hook: the documented request mapped to a screening, and the exact answers. */
import { describe, expect, it } from 'vitest';
import { oktaAnswer } from '../../functions/okta-hook/answer.js';
import { oktaEventSchema, oktaRunOnceKey, oktaScreenInput } from '../../functions/okta-hook/event.js';
import { type Doc, readFixture } from '../helpers/fixtures.js';
import { MESSAGE, sampleVerdict } from '../helpers/sample-verdict.js';

const request = (): Doc => readFixture('okta/registration-self-service.json');
const parse = (doc: unknown) => oktaEventSchema.parse(doc);

describe('the Okta registration request', () => {
  it("maps Okta's documented sample: email, IP, eventId as source_ref and run-once key, no subject", () => {
    const event = parse(request());
    expect(oktaScreenInput(event)).toEqual({
      source: 'okta',
      sourceRef: '04Dmt8BcT_aEgM',
      subjectRef: null,
      email: 'rosario.jones@example.com',
      phone: null,
      ip: '127.0.0.1',
    });
    expect(oktaRunOnceKey(event)).toBe('04Dmt8BcT_aEgM');
  });

  it('screens mobilePhone, and falls back to login when the profile has no email', () => {
    const doc = request();
    doc.data.userProfile = { login: 'sam@example.com', mobilePhone: '+1 415 555 0132' };
    expect(oktaScreenInput(parse(doc))).toMatchObject({ email: 'sam@example.com', phone: '+1 415 555 0132' });
    doc.data.userProfile = { login: 'sam.miller' };
    expect(oktaScreenInput(parse(doc)).email).toBeNull();
  });

  it('screens nothing for a progressive-profile call (no userProfile)', () => {
    const doc = request();
    doc.requestType = 'progressive.profile';
    delete doc.data.userProfile;
    doc.data.userProfileUpdate = { employeeNumber: '1234' };
    expect(oktaScreenInput(parse(doc))).toMatchObject({ email: null, phone: null, ip: '127.0.0.1' });
  });

  it('lets unknown fields pass and treats blank values as absent', () => {
    const doc = request();
    doc.data.userProfile.email = '';
    doc.data.userProfile.login = '  ';
    doc.data.somethingNew = { nested: true };
    expect(oktaScreenInput(parse(doc))).toMatchObject({ email: null });
  });

  it.each([
    ['another hook type', (d: Doc) => (d.eventType = 'com.okta.oauth2.tokens.transform')],
    ['no eventId', (d: Doc) => delete d.eventId],
    ['an eventId with a slash', (d: Doc) => (d.eventId = 'a/b')],
    ['an email of the wrong type', (d: Doc) => (d.data.userProfile.email = 42)],
    ['an ipAddress of the wrong type', (d: Doc) => (d.data.context.request.ipAddress = ['1.2.3.4'])],
  ])('refuses %s', (_case, change) => {
    const doc = request();
    change(doc);
    expect(oktaEventSchema.safeParse(doc).success).toBe(false);
  });
});

describe('oktaAnswer', () => {
  const allow = { commands: [{ type: 'com.okta.action.update', value: { registration: 'ALLOW' } }] };

  it.each(['allow', 'review'] as const)('%s → 200 ALLOW command', (decision) => {
    expect(oktaAnswer(sampleVerdict('okta', decision), MESSAGE)).toEqual({ status: 200, body: allow });
  });

  it("block → 200 DENY with the user message under the email field, exactly Okta's error shape", () => {
    expect(oktaAnswer(sampleVerdict('okta', 'block'), MESSAGE)).toEqual({
      status: 200,
      body: {
        commands: [{ type: 'com.okta.action.update', value: { registration: 'DENY' } }],
        error: {
          errorSummary: MESSAGE,
          errorCauses: [
            {
              errorSummary: MESSAGE,
              reason: 'SIGNUP_GATE',
              locationType: 'body',
              location: 'data.userProfile.email',
              domain: 'end-user',
            },
          ],
        },
      },
    });
  });

  it('follows action, not decision: a monitored block is allowed', () => {
    expect(oktaAnswer(sampleVerdict('okta', 'block', { action: 'allow' }), MESSAGE)).toEqual({
      status: 200,
      body: allow,
    });
  });

  it('carries no identifier of the verdict', () => {
    const text = JSON.stringify(oktaAnswer(sampleVerdict('okta', 'block'), MESSAGE));
    expect(text).not.toContain('example.com');
  });
});
