/** The Cognito event mapping (docs/verdict.md, docs/cognito.md): the three documented events, identifiers and `subject_ref`. */
import { describe, expect, it } from 'vitest';
import {
  cognitoPreSignUpSchema,
  cognitoScreenInput,
  cognitoSubjectRef,
  isContactLike,
} from '../../functions/cognito-pre-signup/event.js';
import * as z from '../../shared/validation/zod.js';
import { FIXTURES, fixture, TRIGGER_SOURCES } from './support.js';

const parse = (doc: unknown) => z.parse(cognitoPreSignUpSchema, doc);

describe('cognitoScreenInput on the documented events', () => {
  it.each(TRIGGER_SOURCES)(
    '%s: email and phone from userAttributes, source cognito, no source_ref',
    (source) => {
      const event = parse(fixture(FIXTURES[source]));
      const input = cognitoScreenInput(event);
      expect(input).toMatchObject({ source: 'cognito', sourceRef: null, email: 'jane.doe@example.org' });
      expect(input.ip).toBeUndefined();
    },
  );

  it('takes the phone number in E.164 as Cognito keeps it', () => {
    expect(cognitoScreenInput(parse(fixture(FIXTURES.PreSignUp_SignUp))).phone).toBe('+33600000001');
  });

  it.each([
    ['PreSignUp_SignUp', '7c4e1a52-90b1-7032-8f1e-2b5d3c6a9e01'],
    ['PreSignUp_AdminCreateUser', 'user1'],
    ['PreSignUp_ExternalProvider', 'Google_103571795941234567890'],
  ] as const)('%s: userName is the subject (%s)', (source, userName) => {
    expect(cognitoScreenInput(parse(fixture(FIXTURES[source]))).subjectRef).toBe(userName);
  });

  it('a user pool whose usernames are emails: no subject', () => {
    const event = parse({
      ...fixture<Record<string, unknown>>(FIXTURES.PreSignUp_SignUp),
      userName: 'example@email.com',
    });
    expect(cognitoScreenInput(event).subjectRef).toBeNull();
  });

  it('keeps the user pool for enforcement (docs/enforcement.md), and only a pool id', () => {
    const event = fixture<Record<string, unknown>>(FIXTURES.PreSignUp_SignUp);
    expect(cognitoScreenInput(parse(event)).account).toEqual({ userPoolId: event.userPoolId });
    for (const userPoolId of ['', 'not a pool', 'eu-west-1_abc/../x', undefined]) {
      expect(cognitoScreenInput(parse({ ...event, userPoolId })).account).toBeUndefined();
    }
  });
});

describe('cognitoSubjectRef', () => {
  it.each([
    ['jane.doe@example.org', null],
    ['+33612345678', null],
    ['+1 (206) 555-0100', null],
    ['0612345678', null],
    ['', null],
    [null, null],
    ['x'.repeat(256), null],
    ['Google_103571795941234567890', 'Google_103571795941234567890'],
    ['7c4e1a52-90b1-7032-8f1e-2b5d3c6a9e01', '7c4e1a52-90b1-7032-8f1e-2b5d3c6a9e01'],
    ['jane_doe', 'jane_doe'],
  ])('%j → %j', (userName, expected) => {
    expect(cognitoSubjectRef(userName)).toBe(expected);
  });

  it('isContactLike never lets an email or a phone-shaped string through', () => {
    for (const value of ['a@b', ' +33 6 12 34 56 78 ', '(206) 555-0100', '06.12.34.56.78']) {
      expect(isContactLike(value)).toBe(true);
    }
    expect(isContactLike('Facebook_10158')).toBe(false);
  });
});

describe('cognitoPreSignUpSchema', () => {
  it.each([
    ['a post-authentication event', { triggerSource: 'PostAuthentication_Authentication' }],
    ['no triggerSource', { triggerSource: undefined }],
    ['attributes that are not strings', { request: { userAttributes: { email: 42 } } }],
    ['no request', { request: undefined }],
  ])('refuses %s', (_case, change) => {
    const doc = { ...fixture(FIXTURES.PreSignUp_SignUp), ...change };
    expect(z.safeParse(cognitoPreSignUpSchema, doc).success).toBe(false);
  });

  it('accepts a pre sign-up source it does not know yet, and unknown fields', () => {
    const doc = {
      ...fixture(FIXTURES.PreSignUp_SignUp),
      triggerSource: 'PreSignUp_Passkey',
      extra: { a: 1 },
    };
    expect(z.safeParse(cognitoPreSignUpSchema, doc).success).toBe(true);
  });
});
