/**
 * The body of Ory Kratos' registration web hook, as the template shipped in `integrations/kratos/` renders it
 * (docs/kratos.md): `{ flow_id, identity: { id?, traits: { email?, phone? } }, ip? }`, validated loosely, and
 * its mapping to a screening. Pure: no I/O.
 */
import type { ScreenInput } from '../../shared/screening/screen.js';
import * as z from '../../shared/validation/zod.js';
import { asRunOnceKey, opaqueId, part, present, subjectRef, text } from '../provider-event.js';

/**
 * Kratos' id of one hook execution, the same on its retries and new for every submission of the form (Kratos
 * sets it on each web hook request unless `emit_analytics_event` is off).
 */
export const KRATOS_TRIGGER_ID_HEADER = 'Ory-Webhook-Trigger-ID';

/** Kratos' id of an identity before it is stored: not an id of anyone. */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export const kratosEventSchema = z.looseObject({
  flow_id: z.string().check(z.minLength(1), z.maxLength(255)),
  identity: part({ id: opaqueId, traits: part({ email: text, phone: text }) }),
  ip: text,
});
export type KratosEvent = z.infer<typeof kratosEventSchema>;

/**
 * The run-once key: the `Ory-Webhook-Trigger-ID` header, or null when Kratos sent none (the screening then
 * runs without one). Not the flow id: a user may submit one registration flow again with other traits after
 * a refusal, and that submission must be screened anew.
 */
export const kratosRunOnceKey = (triggerIdHeader: string | undefined): string | null =>
  asRunOnceKey(triggerIdHeader);

/**
 * What one registration screens: `traits.email`, `traits.phone`, the client IP (the template reads
 * `True-Client-Ip`); `flow_id` is the `source_ref` and the identity's id, when Kratos already has one, the
 * `subject_ref`.
 */
export const kratosScreenInput = (event: KratosEvent): ScreenInput => {
  const id = present(event.identity?.id);
  return {
    source: 'kratos',
    sourceRef: event.flow_id,
    subjectRef: id === NIL_UUID ? null : subjectRef(id),
    email: present(event.identity?.traits?.email),
    phone: present(event.identity?.traits?.phone),
    ip: present(event.ip),
  };
};
