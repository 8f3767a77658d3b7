/**
 * Signs the registration Action's answer with the official `@workos-inc/node` SDK (`actions.signResponse`):
 * `{ object: "user_registration_action_response", payload: { timestamp, verdict, error_message? }, signature }`,
 * the signature made with the secret that vouched for the request. The SDK stamps the payload with its own clock.
 */
import { WorkOS } from '@workos-inc/node';
import type { WorkosAnswerData } from './answer.js';

/** `{ object, payload: { timestamp, verdict, error_message? }, signature }`, as the SDK types it. */
export type WorkosSignedResponse = Awaited<ReturnType<WorkOS['actions']['signResponse']>>;

/**
 * The SDK wants an API key or a client id to be built; its Actions helpers use neither (no WorkOS API call is
 * made), so a placeholder client id stands in and no WorkOS credential is needed.
 */
let actions: WorkOS['actions'] | undefined;
const sdkActions = (): WorkOS['actions'] => {
  actions ??= new WorkOS({ clientId: 'client_signup_gate_actions_only' }).actions;
  return actions;
};

export const signWorkosResponse = (data: WorkosAnswerData, secret: string): Promise<WorkosSignedResponse> =>
  sdkActions().signResponse(data, secret);
