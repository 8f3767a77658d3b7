/** Lambda entry of the `okta-hook` function: the shared app behind API Gateway v2, instrumented with Powertools. */
import { handle } from 'hono/aws-lambda';
import { createPowertoolsTelemetry, instrument } from '../../shared/observability/powertools.js';
import { lambdaDeps } from '../../shared/runtime/lambda.js';
import { createOktaHookApp } from './app.js';

const telemetry = createPowertoolsTelemetry('okta-hook');

export const handler = instrument(handle(createOktaHookApp(lambdaDeps(telemetry), telemetry)), telemetry);
