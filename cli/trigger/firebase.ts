/**
 * `trigger firebase`: the shipped Firebase forwarder's call for `beforeUserCreated` (docs/firebase.md), signed
 * as the Auth0 Actions sign (`X-Signup-Gate-Signature` over `<t>.<Idempotency-Key>.<body>`, the key being the
 * event id).
 */
import { signAuth0Body } from '../../shared/webhooks/auth0.js';
import { readVerdict, setting } from './helpers.js';
import { errorMessageIn, type TriggerProvider } from './provider.js';
import { randomId } from './subject.js';

export const firebaseTrigger: TriggerProvider = {
  name: 'firebase',
  description:
    "the shipped Firebase forwarder's call (beforeUserCreated, signed as the Auth0 Actions) → /hooks/firebase",
  secret: setting('FIREBASE_HOOK_SECRET', 'firebase_hook_secret', 'Firebase hook secret'),
  build: ({ subject, secret, nowSec, ip }) => {
    const eventId = randomId(32, 'abcdef0123456789');
    const event = {
      uid: randomId(28),
      ...(subject.email ? { email: subject.email } : {}),
      ...(subject.phone ? { phone_number: subject.phone.replace(/[^\d+]/g, '') } : {}),
      ip_address: ip,
      event_id: eventId,
    };
    const body = JSON.stringify(event);
    return {
      path: '/hooks/firebase',
      body,
      headers: {
        'Idempotency-Key': eventId,
        'X-Signup-Gate-Signature': signAuth0Body(secret ?? '', body, nowSec, eventId),
      },
      event: 'beforeUserCreated',
    };
  },
  read: readVerdict((action, body) =>
    action === 'block'
      ? `the forwarder throws permission-denied and Firebase shows: "${String(body.user_message ?? errorMessageIn(body))}"`
      : 'the forwarder returns: Firebase goes on with the sign-up',
  ),
};
