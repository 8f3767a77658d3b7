/**
 * `trigger kratos`: the body the shipped Jsonnet template makes of Ory Kratos' registration context
 * (docs/kratos.md), with the web hook's api_key auth (`Authorization: Bearer <secret>`) and an `Ory-Webhook-
 * Trigger-ID`.
 */
import { randomUUID } from 'node:crypto';
import { setting } from './helpers.js';
import { isRecord, type TriggerProvider } from './provider.js';

export const kratosTrigger: TriggerProvider = {
  name: 'kratos',
  description: "Ory Kratos' registration web hook (Authorization: Bearer <secret>) → /hooks/kratos",
  secret: setting('KRATOS_HOOK_SECRET', 'kratos_hook_secret', 'Kratos hook secret'),
  build: ({ subject, secret, ip }) => {
    const flowId = randomUUID();
    const traits: Record<string, string> = {};
    if (subject.email) traits.email = subject.email;
    if (subject.phone) traits.phone = subject.phone;
    // The body the shipped Jsonnet template makes of Kratos' context (pre-persist: no identity id yet).
    const event = { flow_id: flowId, identity: { id: null, traits }, ip };
    return {
      path: '/hooks/kratos',
      body: JSON.stringify(event),
      headers: { Authorization: `Bearer ${secret ?? ''}`, 'Ory-Webhook-Trigger-ID': randomUUID() },
      event: 'registration',
      find: { source: 'kratos', match: (v) => v.source_ref === flowId },
    };
  },
  read: (status, body) => {
    if (status === 200 && isRecord(body) && Object.keys(body).length === 0)
      return { effect: 'Kratos goes on with the registration' };
    if (status >= 400 && isRecord(body) && Array.isArray(body.messages)) {
      const text = /"text":"((?:[^"\\]|\\.)*)"/.exec(JSON.stringify(body.messages))?.[1];
      return { effect: `Kratos interrupts the registration and shows: "${text ?? ''}"` };
    }
    return undefined;
  },
};
