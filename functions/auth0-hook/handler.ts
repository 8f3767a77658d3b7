/** Lambda entry of the `auth0-hook` function: the shared app behind API Gateway v2, instrumented with Powertools. */
import { handle } from 'hono/aws-lambda';
import { createPowertoolsTelemetry, instrument } from '../../shared/observability/powertools.js';
import { lambdaDeps } from '../../shared/runtime/lambda.js';
import { createAuth0HookApp } from './app.js';

const telemetry = createPowertoolsTelemetry('auth0-hook');

export const handler = instrument(handle(createAuth0HookApp(lambdaDeps(telemetry), telemetry)), telemetry);
