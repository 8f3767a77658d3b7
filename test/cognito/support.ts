/** Shared pieces of the Cognito suites: the three pre sign-up events from the fixtures, with chosen attributes. */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { PreSignUpTriggerEvent } from 'aws-lambda';
import type { Verdict } from '../../shared/core/verdict.js';
import { fixture } from '../auth0/support.js';
import type { TestDeps } from '../helpers/deps.js';

export { fixture, NO_VELOCITY, recordingTelemetry } from '../auth0/support.js';

export const FIXTURES = {
  PreSignUp_SignUp: 'cognito/pre-signup-sign-up.json',
  PreSignUp_AdminCreateUser: 'cognito/pre-signup-admin-create-user.json',
  PreSignUp_ExternalProvider: 'cognito/pre-signup-external-provider.json',
} as const;
export type TriggerSource = keyof typeof FIXTURES;
export const TRIGGER_SOURCES = Object.keys(FIXTURES) as TriggerSource[];

/** The documented event of `source`, its email and phone replaced (`undefined` removes one). */
export const cognitoEvent = (
  source: TriggerSource,
  attributes: { email?: string; phone_number?: string },
  userName?: string,
): PreSignUpTriggerEvent => {
  const event = fixture<PreSignUpTriggerEvent>(FIXTURES[source]);
  const { email: _e, phone_number: _p, ...rest } = event.request.userAttributes;
  event.request.userAttributes = { ...rest };
  if (attributes.email !== undefined) event.request.userAttributes.email = attributes.email;
  if (attributes.phone_number !== undefined)
    event.request.userAttributes.phone_number = attributes.phone_number;
  if (userName !== undefined) event.userName = userName;
  return event;
};

/** The newest cognito verdicts (newest first). */
export const cognitoVerdicts = async (t: TestDeps): Promise<Verdict[]> =>
  (await t.deps.store.verdicts.query({ source: 'cognito', limit: 100 })).items;

/** Every item of the test table, as DynamoDB JSON text. */
export const tableText = async (t: TestDeps): Promise<string> => {
  const { Items = [] } = await t.dynalite!.client.send(new ScanCommand({ TableName: t.dynalite!.tableName }));
  return JSON.stringify(Items);
};

/** A Lambda context whose remaining time is fixed (Cognito's 5 s, or less). */
export const contextWith = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs });
