/**
 * `POST /invoke/cognito-pre-signup` (docs/cognito.md, local server only): runs the pre sign-up trigger's code on
 * a Cognito event body, behind operator auth. `200` the event as the function returns it, or `400`
 * `signup_rejected` with the `user_message` where the function would throw.
 */
import type { Hono } from 'hono';
import { createBaseApp } from '../../shared/http/app-base.js';
import { operatorAuth } from '../../shared/http/bearer.js';
import { parseJson, readBody } from '../../shared/http/body.js';
import type { AppEnv } from '../../shared/http/env.js';
import { errorBody } from '../../shared/http/errors.js';
import { allowOnly } from '../../shared/http/methods.js';
import type { Telemetry } from '../../shared/observability/telemetry.js';
import type { DepsProvider } from '../../shared/runtime/deps.js';
import { pathOf } from '../routes.js';
import { runPreSignUp, SignupRejectedError } from './pre-signup.js';

export const COGNITO_INVOKE_PATH = pathOf('cognito-pre-signup');

/** Builds the local invoke app; the local server mounts it beside the hook apps. */
export const createCognitoInvokeApp = (deps: DepsProvider, telemetry?: Telemetry): Hono<AppEnv> => {
  const app = createBaseApp(telemetry);

  app.post(COGNITO_INVOKE_PATH, readBody(), operatorAuth(deps), parseJson(), async (c) => {
    const d = await deps();
    try {
      const event = await runPreSignUp(d, c.get('json'));
      return c.json(event as object, 200);
    } catch (error) {
      if (error instanceof SignupRejectedError)
        return c.json(errorBody('signup_rejected', error.message), 400);
      throw error;
    }
  });
  allowOnly(app, COGNITO_INVOKE_PATH, ['POST']);

  return app;
};
