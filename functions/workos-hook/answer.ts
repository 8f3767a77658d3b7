/**
 * What the registration Action answers (docs/workos.md): `Allow`, or `Deny` with the policy's `user_message`
 * as `error_message` — the input of the SDK's `actions.signResponse`, which makes the signed
 * `user_registration_action_response` (see sign-response.ts). Pure.
 */
import type { Verdict } from '../../shared/core/verdict.js';

export interface WorkosAnswerData {
  type: 'user_registration';
  verdict: 'Allow' | 'Deny';
  errorMessage?: string;
}

/**
 * Allow and review → `Allow`; block → `Deny` with the message WorkOS shows the user. Reads only the `action` (a
 * verdict, or the `on_error` answer of a screening that could not finish).
 */
export const workosAnswer = (verdict: Pick<Verdict, 'action'>, userMessage: string): WorkosAnswerData =>
  verdict.action === 'block'
    ? { type: 'user_registration', verdict: 'Deny', errorMessage: userMessage }
    : { type: 'user_registration', verdict: 'Allow' };
