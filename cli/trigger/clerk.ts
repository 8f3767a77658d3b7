/**
 * `trigger clerk`: a Clerk `user.created` webhook (docs/clerk.md), signed as Svix delivers it: Standard Webhooks
 * under `svix-*` header names.
 */
import { signStandardWebhook } from '../../shared/webhooks/standard-webhooks.js';
import { readVerdict, setting } from './helpers.js';
import type { TriggerProvider } from './provider.js';
import { randomId } from './subject.js';

export const clerkTrigger: TriggerProvider = {
  name: 'clerk',
  description: 'a Clerk user.created webhook, delivered as Svix signs it → /hooks/clerk',
  secret: setting('CLERK_WEBHOOK_SECRET', 'clerk_webhook_secret', 'Clerk webhook signing secret', 'space'),
  build: ({ subject, secret, nowSec, ip }) => {
    const ms = nowSec * 1000;
    const emailId = `idn_${randomId(27)}`;
    const phoneId = `idn_${randomId(27)}`;
    const event = {
      data: {
        id: `user_${randomId(27)}`,
        object: 'user',
        created_at: ms,
        updated_at: ms,
        email_addresses: subject.email
          ? [
              {
                id: emailId,
                object: 'email_address',
                email_address: subject.email,
                linked_to: [],
                verification: { status: 'verified', strategy: 'email_code' },
              },
            ]
          : [],
        phone_numbers: subject.phone
          ? [
              {
                id: phoneId,
                object: 'phone_number',
                phone_number: subject.phone,
                linked_to: [],
                verification: { status: 'verified', strategy: 'phone_code' },
              },
            ]
          : [],
        primary_email_address_id: subject.email ? emailId : null,
        primary_phone_number_id: subject.phone ? phoneId : null,
        first_name: 'Jane',
        last_name: 'Doe',
        username: null,
        external_accounts: [],
        password_enabled: true,
        two_factor_enabled: false,
        public_metadata: {},
        private_metadata: {},
        unsafe_metadata: {},
      },
      event_attributes: { http_request: { client_ip: ip, user_agent: 'Mozilla/5.0' } },
      instance_id: `ins_${randomId(27)}`,
      object: 'event',
      timestamp: ms,
      type: 'user.created',
    };
    const body = JSON.stringify(event);
    // Svix signs as Standard Webhooks, under svix-* header names.
    const signed = signStandardWebhook([secret ?? ''], `msg_${randomId(27)}`, nowSec, body);
    const headers = Object.fromEntries(
      Object.entries(signed).map(([name, value]) => [name.replace(/^webhook-/, 'svix-'), value]),
    );
    return { path: '/hooks/clerk', body, headers, event: 'user.created' };
  },
  read: readVerdict((action) =>
    action === 'block'
      ? 'Svix is answered 200; the user already exists in Clerk (blocking them is enforcement, docs/clerk.md)'
      : 'Svix is answered 200',
  ),
};
