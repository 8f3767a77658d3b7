/**
 * `trigger auth0`: the body the shipped pre-user-registration Action sends (or, with `--post-login`, the post-login
 * Action's, for a first social login), signed as they sign it: `X-Signup-Gate-Signature` over
 * `<t>.<Idempotency-Key>.<body>` with the Auth0 hook secret (docs/auth0.md).
 */
import { randomUUID } from 'node:crypto';
import {
  AUTH0_SIGNATURE_HEADER,
  IDEMPOTENCY_KEY_HEADER,
  signAuth0Body,
} from '../../shared/webhooks/auth0.js';
import { errorMessageIn, type TriggerProvider, verdictIn } from './provider.js';
import { randomId } from './subject.js';

const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0';

export const auth0Trigger: TriggerProvider = {
  name: 'auth0',
  description: 'the pre-user-registration Action (--post-login: the post-login Action) → /hooks/auth0',
  secret: {
    env: 'AUTH0_HOOK_SECRET',
    field: 'auth0_hook_secret',
    separator: 'comma',
    what: 'Auth0 hook secret',
  },
  build: ({ subject, secret, nowSec, ip, postLogin }) => {
    const user: Record<string, string> = {};
    if (subject.email) user.email = subject.email;
    if (subject.phone) user.phone_number = subject.phone;
    const request = { ip, user_agent: USER_AGENT, geoip: { countryCode: 'FR' } };
    const common = {
      client: { client_id: randomId(32) },
      tenant: { id: 'my-tenant' },
      transaction: { id: randomId(32) },
    };
    const event = postLogin
      ? {
          trigger: 'post-login',
          user: { ...user, user_id: `google-oauth2|${randomId(21, '0123456789')}` },
          request,
          connection: { name: 'google-oauth2', strategy: 'google-oauth2' },
          ...common,
        }
      : { user, request, connection: { name: 'Username-Password-Authentication' }, ...common };
    const body = JSON.stringify(event);
    const key = randomUUID();
    return {
      path: '/hooks/auth0',
      body,
      headers: {
        [IDEMPOTENCY_KEY_HEADER]: key,
        [AUTH0_SIGNATURE_HEADER]: signAuth0Body(secret ?? '', body, nowSec, key),
      },
      event: postLogin ? 'post-login' : 'pre-user-registration',
    };
  },
  read: (status, body) => {
    const verdict = verdictIn(body);
    if (status !== 200 || !verdict) return undefined;
    const message = (body as { user_message?: unknown }).user_message;
    const action = verdict.action ?? verdict.decision;
    const effect =
      action === 'block'
        ? `the Action refuses the sign-up and shows: "${typeof message === 'string' ? message : errorMessageIn(body)}"`
        : action === 'review'
          ? 'the Action lets the sign-up go on (the verdict waits in the review queue)'
          : 'the Action lets the sign-up go on';
    return { effect, verdict };
  },
};
