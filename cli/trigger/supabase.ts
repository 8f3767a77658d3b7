/**
 * `trigger supabase`: Supabase Auth's `before-user-created` hook payload, signed as Standard Webhooks with the
 * Supabase hook secret (`webhook-id`, `webhook-timestamp`, `webhook-signature`; docs/supabase.md). Supabase keeps
 * phones as digits without the `+`, and sends an absent email or phone as "".
 */
import { randomUUID } from 'node:crypto';
import { signStandardWebhook } from '../../shared/webhooks/standard-webhooks.js';
import { errorMessageIn, isRecord, type TriggerProvider } from './provider.js';

export const supabaseTrigger: TriggerProvider = {
  name: 'supabase',
  description: "Supabase Auth's before-user-created hook (Standard Webhooks) → /hooks/supabase",
  secret: {
    env: 'SUPABASE_HOOK_SECRET',
    field: 'supabase_hook_secret',
    separator: 'space',
    what: 'Supabase hook secret',
  },
  build: ({ subject, secret, nowSec, ip }) => {
    const userId = randomUUID();
    const event = {
      metadata: {
        uuid: randomUUID(),
        time: new Date(nowSec * 1000).toISOString(),
        name: 'before-user-created',
        ip_address: ip,
      },
      user: {
        id: userId,
        aud: 'authenticated',
        role: '',
        email: subject.email ?? '',
        phone: subject.phone?.replace(/\D/g, '') ?? '',
        app_metadata: {
          provider: subject.email ? 'email' : 'phone',
          providers: [subject.email ? 'email' : 'phone'],
        },
        user_metadata: {},
        identities: [],
        created_at: '0001-01-01T00:00:00Z',
        updated_at: '0001-01-01T00:00:00Z',
        is_anonymous: false,
      },
    };
    const body = JSON.stringify(event);
    const id = `msg_${randomUUID()}`;
    return {
      path: '/hooks/supabase',
      body,
      headers: signStandardWebhook([secret ?? ''], id, nowSec, body),
      event: 'before-user-created',
      find: { source: 'supabase', match: (v) => v.subject_ref === userId },
    };
  },
  read: (status, body) => {
    if (!isRecord(body)) return undefined;
    // A refusal is Supabase's `{"error":{"http_code":403,"message"}}` (answered with 403, or with 200 by servers
    // that follow Supabase's advice to answer every hook call with 200).
    const error = isRecord(body.error) ? body.error : undefined;
    if ((status === 200 || status === 403) && error?.http_code === 403) {
      return { effect: `Supabase refuses the sign-up and shows: "${errorMessageIn(body)}"` };
    }
    if (status === 200 && !error) return { effect: 'Supabase goes on with the sign-up' };
    return undefined;
  },
};
