/**
 * `trigger paddle`: a Paddle Billing `customer.created` notification (docs/paddle.md), signed as Paddle signs:
 * `Paddle-Signature: ts=<s>;h1=HMAC-SHA256(secret, "<ts>:<raw body>")`.
 */
import { hmacHex, readVerdict, setting, ulidLike } from './helpers.js';
import type { TriggerProvider } from './provider.js';

export const paddleTrigger: TriggerProvider = {
  name: 'paddle',
  description: 'a Paddle Billing customer.created notification (Paddle-Signature) → /hooks/paddle',
  secret: setting('PADDLE_WEBHOOK_SECRET', 'paddle_webhook_secret', 'Paddle webhook secret'),
  build: ({ subject, secret, nowSec }) => {
    const at = new Date(nowSec * 1000).toISOString();
    const event = {
      event_id: `evt_${ulidLike().toLowerCase()}`,
      event_type: 'customer.created',
      occurred_at: at,
      notification_id: `ntf_${ulidLike().toLowerCase()}`,
      data: {
        id: `ctm_${ulidLike().toLowerCase()}`,
        name: 'Jane Doe',
        email: subject.email,
        locale: 'en',
        status: 'active',
        custom_data: null,
        created_at: at,
        updated_at: at,
        marketing_consent: false,
      },
    };
    const body = JSON.stringify(event);
    // Paddle's scheme: h1 = HMAC-SHA256(secret, "<ts>:<raw body>").
    const signature = `ts=${nowSec};h1=${hmacHex(secret ?? '', `${nowSec}:${body}`)}`;
    return {
      path: '/hooks/paddle',
      body,
      headers: { 'Paddle-Signature': signature },
      event: 'customer.created',
    };
  },
  read: readVerdict((_, body) =>
    body.duplicate === true
      ? 'the notification is acknowledged (200; a redelivery, the first verdict)'
      : 'the notification is acknowledged (200)',
  ),
};
