/**
 * `trigger workos`: a WorkOS AuthKit user registration Action request (docs/workos.md), signed with the SDK's
 * scheme: `WorkOS-Signature: t=<ms>, v1=HMAC-SHA256(secret, "<t>.<JSON body>")`.
 */
import { hmacHex, setting, ulidLike } from './helpers.js';
import { isRecord, type TriggerProvider } from './provider.js';
import { randomId } from './subject.js';

export const workosTrigger: TriggerProvider = {
  name: 'workos',
  description: 'a WorkOS AuthKit user registration Action (WorkOS-Signature) → /hooks/workos',
  secret: setting('WORKOS_ACTIONS_SECRET', 'workos_actions_secret', 'WorkOS Actions secret'),
  build: ({ subject, secret, nowSec, ip }) => {
    const id = ulidLike();
    const event = {
      id,
      user_data: { object: 'user_data', email: subject.email, first_name: 'Jane', last_name: 'Doe' },
      ip_address: ip,
      user_agent: 'Mozilla/5.0',
      device_fingerprint: randomId(16),
      object: 'user_registration_action_context',
    };
    const body = JSON.stringify(event);
    // The SDK's scheme: t in milliseconds, v1 = HMAC-SHA256(secret, "<t>.<JSON body>").
    const t = nowSec * 1000;
    return {
      path: '/hooks/workos',
      body,
      headers: { 'WorkOS-Signature': `t=${t}, v1=${hmacHex(secret ?? '', `${t}.${body}`)}` },
      event: 'user_registration',
      find: { source: 'workos', match: (v) => v.source_ref === id },
    };
  },
  read: (status, body) => {
    const payload = isRecord(body) && isRecord(body.payload) ? body.payload : undefined;
    if (status !== 200 || !payload) return undefined;
    return {
      effect:
        payload.verdict === 'Deny'
          ? `WorkOS denies the registration and shows: "${String(payload.error_message)}"`
          : 'WorkOS goes on with the registration',
    };
  },
};
