/**
 * `trigger okta`: Okta Identity Engine's registration inline hook request (docs/okta.md), authenticated as Okta
 * does: the `Authorization` header carries the hook secret verbatim.
 */
import { setting } from './helpers.js';
import { isRecord, type TriggerProvider } from './provider.js';
import { randomId } from './subject.js';

export const oktaTrigger: TriggerProvider = {
  name: 'okta',
  description: "Okta's registration inline hook (Authorization: the hook secret) → /hooks/okta",
  secret: setting('OKTA_HOOK_SECRET', 'okta_hook_secret', 'Okta hook secret'),
  build: ({ subject, secret, nowSec, ip }) => {
    const eventId = randomId(14);
    const event = {
      eventId,
      eventTime: new Date(nowSec * 1000).toISOString().replace(/\.\d+Z$/, '.000Z'),
      eventType: 'com.okta.user.pre-registration',
      eventTypeVersion: '1.0',
      contentType: 'application/json',
      cloudEventVersion: '0.1',
      source: `reg${randomId(17)}`,
      requestType: 'self.service.registration',
      data: {
        context: {
          request: { method: 'POST', ipAddress: ip, id: randomId(20), url: { value: '/idp/idx/enroll/new' } },
        },
        userProfile: {
          firstName: 'Jane',
          lastName: 'Doe',
          ...(subject.email ? { login: subject.email, email: subject.email } : {}),
          ...(subject.phone ? { mobilePhone: subject.phone } : {}),
        },
        action: 'ALLOW',
      },
    };
    return {
      path: '/hooks/okta',
      body: JSON.stringify(event),
      headers: { Authorization: secret ?? '' },
      event: 'com.okta.user.pre-registration',
      find: { source: 'okta', match: (v) => v.source_ref === eventId },
    };
  },
  read: (status, body) => {
    if (status !== 200 || !isRecord(body) || !Array.isArray(body.commands)) return undefined;
    const denied = JSON.stringify(body.commands).includes('"DENY"');
    const summary = isRecord(body.error) ? body.error.errorSummary : undefined;
    return {
      effect: denied
        ? `Okta denies the registration and shows: "${String(summary)}"`
        : 'Okta goes on with the registration',
    };
  },
};
