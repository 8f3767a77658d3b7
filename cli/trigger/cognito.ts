/**
 * `trigger cognito`: a `PreSignUp_SignUp` event as Amazon Cognito gives the pre sign-up trigger, sent to the local
 * server's invoke route (`/invoke/cognito-pre-signup`, behind the operator's bearer token; docs/cognito.md), which
 * runs the trigger's code: 200 with the event as the function returns it, or 400 `signup_rejected` where it throws.
 */
import { randomUUID } from 'node:crypto';
import { errorMessageIn, isRecord, type TriggerProvider } from './provider.js';
import { randomId } from './subject.js';

export const cognitoTrigger: TriggerProvider = {
  name: 'cognito',
  description: 'a PreSignUp_SignUp event → /invoke/cognito-pre-signup (local server, bearer token)',
  build: ({ subject }) => {
    const userName = randomUUID();
    const userAttributes: Record<string, string> = {};
    if (subject.email) userAttributes.email = subject.email;
    // Cognito keeps phone numbers in E.164: a + and digits.
    if (subject.phone) userAttributes.phone_number = subject.phone.replace(/[^\d+]/g, '');
    const event = {
      version: '1',
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_AbCdEf123',
      userName,
      callerContext: {
        awsSdkVersion: 'aws-sdk-unknown-unknown',
        clientId: randomId(26, 'abcdefghijklmnopqrstuvwxyz0123456789'),
      },
      triggerSource: 'PreSignUp_SignUp',
      request: { userAttributes, validationData: null, clientMetadata: { source: 'signup-gate-trigger' } },
      response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
    };
    return {
      path: '/invoke/cognito-pre-signup',
      body: JSON.stringify(event),
      headers: {},
      event: 'PreSignUp_SignUp',
      find: { source: 'cognito', match: (v) => v.subject_ref === userName },
    };
  },
  read: (status, body) => {
    if (status === 200 && isRecord(body) && body.triggerSource) {
      return { effect: 'the trigger returns the event: Cognito goes on with the sign-up' };
    }
    const code = isRecord(body) && isRecord(body.error) ? body.error.code : undefined;
    if (status === 400 && code === 'signup_rejected') {
      return {
        effect: `the trigger throws: Cognito refuses the sign-up and shows: "${errorMessageIn(body)}"`,
      };
    }
    return undefined;
  },
};
