/**
 * Ory Kratos' answer to an interrupting web hook (docs/kratos.md): `200 {}` lets the registration go on; a
 * status of 400 or more with `messages` interrupts it and Kratos shows each message on the form field its
 * `instance_ptr` names. Pure.
 */
import type { Verdict } from '../../shared/core/verdict.js';

/** Kratos' message id range for validation errors (4000000–4999999); this one names our refusal. */
export const KRATOS_MESSAGE_ID = 4000001;

export interface KratosRejection {
  messages: Array<{
    instance_ptr: '#/traits/email';
    messages: Array<{ id: typeof KRATOS_MESSAGE_ID; text: string; type: 'error' }>;
  }>;
}

export type KratosAnswer =
  | { status: 200; body: Record<string, never> }
  | { status: 403; body: KratosRejection };

/**
 * Allow and review → `200 {}`; block → `403` with the policy's `user_message` on the email field. Reads only the
 * `action` (a verdict, or the `on_error` answer of a screening that could not finish).
 */
export const kratosAnswer = (verdict: Pick<Verdict, 'action'>, userMessage: string): KratosAnswer => {
  if (verdict.action !== 'block') return { status: 200, body: {} };
  return {
    status: 403,
    body: {
      messages: [
        {
          instance_ptr: '#/traits/email',
          messages: [{ id: KRATOS_MESSAGE_ID, text: userMessage, type: 'error' }],
        },
      ],
    },
  };
};
