/**
 * Okta's registration inline hook response (docs/okta.md): always `200`; `commands` allow or deny the
 * registration, and a denial carries an `error` whose `errorCauses[].errorSummary` Okta's Sign-In Widget shows
 * under the email field. Pure.
 */
import type { Verdict } from '../../shared/core/verdict.js';

const ACTION_UPDATE = 'com.okta.action.update';

export interface OktaCommand {
  type: typeof ACTION_UPDATE;
  value: { registration: 'ALLOW' | 'DENY' };
}

export interface OktaErrorCause {
  errorSummary: string;
  reason: 'SIGNUP_GATE';
  locationType: 'body';
  location: 'data.userProfile.email';
  domain: 'end-user';
}

export interface OktaAnswer {
  commands: OktaCommand[];
  error?: { errorSummary: string; errorCauses: OktaErrorCause[] };
}

/**
 * Allow and review let the registration go on; block denies it with the policy's `user_message`. Reads only the
 * `action` (a verdict, or the `on_error` answer of a screening that could not finish).
 */
export const oktaAnswer = (
  verdict: Pick<Verdict, 'action'>,
  userMessage: string,
): { status: 200; body: OktaAnswer } => {
  if (verdict.action !== 'block') {
    return { status: 200, body: { commands: [{ type: ACTION_UPDATE, value: { registration: 'ALLOW' } }] } };
  }
  return {
    status: 200,
    body: {
      commands: [{ type: ACTION_UPDATE, value: { registration: 'DENY' } }],
      error: {
        errorSummary: userMessage,
        errorCauses: [
          {
            errorSummary: userMessage,
            reason: 'SIGNUP_GATE',
            locationType: 'body',
            location: 'data.userProfile.email',
            domain: 'end-user',
          },
        ],
      },
    },
  };
};
