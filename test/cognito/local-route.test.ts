/**
 * `POST /invoke/cognito-pre-signup` (docs/cognito.md, local server only): the trigger's code run on a Cognito
 * event body behind operator auth, against the Hono app over real deps (dynalite store, sandbox Defastra).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COGNITO_INVOKE_PATH,
  createCognitoInvokeApp,
} from '../../functions/cognito-pre-signup/local-route.js';
import { SANDBOX_IDENTITIES } from '../../shared/defastra/sandbox/index.js';
import { createTestDeps, TEST_API_TOKEN, type TestDeps } from '../helpers/deps.js';
import { cognitoEvent, cognitoVerdicts, NO_VELOCITY, TRIGGER_SOURCES } from './support.js';

const { email: EMAIL } = SANDBOX_IDENTITIES;
const USER_MESSAGE = 'Sign-ups like this one are not accepted.';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
const json = async (response: Response): Promise<any> => JSON.parse(await response.text());

describe('POST /invoke/cognito-pre-signup', () => {
  let t: TestDeps;
  let request: (init: RequestInit, path?: string) => Promise<Response>;
  const auth = { Authorization: `Bearer ${TEST_API_TOKEN}`, 'Content-Type': 'application/json' };
  const invoke = (body: unknown, headers: Record<string, string> = auth) =>
    request({ method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

  beforeAll(async () => {
    t = await createTestDeps({ policy: { cache_hours: 0, user_message: USER_MESSAGE, ...NO_VELOCITY } });
    const app = createCognitoInvokeApp(t.provider);
    request = async (init, path = COGNITO_INVOKE_PATH) => app.request(path, init);
  });
  afterAll(() => t.close());

  it.each(TRIGGER_SOURCES)(
    '%s allow and review → 200 with the event as the function returns it',
    async (source) => {
      for (const email of [EMAIL.low, EMAIL.medium]) {
        const event = cognitoEvent(source, { email });
        const response = await invoke(event);
        expect(response.status).toBe(200);
        expect(await json(response)).toEqual(event);
      }
    },
  );

  it('block → 400 signup_rejected with the user message', async () => {
    const response = await invoke(cognitoEvent('PreSignUp_ExternalProvider', { email: EMAIL.high }));
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: { code: 'signup_rejected', message: USER_MESSAGE } });
    expect((await cognitoVerdicts(t))[0]).toMatchObject({
      decision: 'block',
      subject_ref: 'Google_103571795941234567890',
    });
  });

  it('401 without the operator token, before anything else is read', async () => {
    const before = t.sandbox.stats().requests;
    const attempts: Record<string, string>[] = [
      { 'Content-Type': 'application/json' },
      { 'Content-Type': 'application/json', Authorization: 'Bearer wrong-token-0123456789' },
    ];
    for (const headers of attempts) {
      const response = await invoke(cognitoEvent('PreSignUp_SignUp', { email: EMAIL.high }), headers);
      expect(response.status).toBe(401);
      expect((await json(response)).error.code).toBe('unauthorized');
    }
    expect(t.sandbox.stats().requests).toBe(before);
  });

  it('405 with Allow: POST, 404 elsewhere', async () => {
    const response = await request({ method: 'GET', headers: auth });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect((await request({ method: 'POST', headers: auth, body: '{}' }, '/invoke/other')).status).toBe(404);
  });

  it('contract order: 413, then 401, then 415, then 400', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(256 * 1024) });
    expect((await invoke(big, { 'Content-Type': 'application/json' })).status).toBe(413);
    expect((await invoke('{}', { 'Content-Type': 'text/plain' })).status).toBe(401);
    expect((await invoke('{}', { ...auth, 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await json(await invoke('{"request":'))).error.code).toBe('invalid_json');
  });

  it.each([
    [
      'another trigger',
      { ...cognitoEvent('PreSignUp_SignUp', {}), triggerSource: 'PostConfirmation_ConfirmSignUp' },
      'triggerSource',
    ],
    [
      'an attribute that is not a string',
      { ...cognitoEvent('PreSignUp_SignUp', {}), request: { userAttributes: { email: 1 } } },
      'request.userAttributes.email',
    ],
    ['not an object', [], ''],
  ])('400 invalid_request for %s', async (_case, body, field) => {
    const response = await invoke(body);
    expect(response.status).toBe(400);
    const error = (await json(response)).error;
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain(field);
  });
});
