/** `POST /invoke/cognito-pre-signup` on the real local server (`npm start`'s code) over HTTP, with the local API token. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COGNITO_INVOKE_PATH } from '../../functions/cognito-pre-signup/local-route.js';
import { SANDBOX_IDENTITIES } from '../../shared/defastra/sandbox/index.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { cognitoEvent, NO_VELOCITY } from './support.js';

const { email: EMAIL } = SANDBOX_IDENTITIES;

describe('POST /invoke/cognito-pre-signup on the local server', () => {
  let server: TestServer;
  const invoke = (body: unknown, token: string | null = server.apiToken) =>
    fetch(`${server.url}${COGNITO_INVOKE_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    server = await startTestServer({ policy: { cache_hours: 0, ...NO_VELOCITY } });
  });
  afterAll(() => server.close());

  it('200 with the event unchanged for an allowed sign-up', async () => {
    const event = cognitoEvent('PreSignUp_SignUp', { email: EMAIL.low });
    const response = await invoke(event);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(event);
  });

  it('400 signup_rejected with the user message for a blocked one', async () => {
    const response = await invoke(cognitoEvent('PreSignUp_AdminCreateUser', { email: EMAIL.high }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: 'signup_rejected', message: 'We could not complete your sign-up.' },
    });
  });

  it('401 without the local API token', async () => {
    expect((await invoke(cognitoEvent('PreSignUp_SignUp', { email: EMAIL.low }), null)).status).toBe(401);
  });
});
