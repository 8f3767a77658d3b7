/** Lambda entry of the `clerk-hook` function: the shared app behind API Gateway v2, instrumented with Powertools. */
import { handle } from 'hono/aws-lambda';
import { createPowertoolsTelemetry, instrument } from '../../shared/observability/powertools.js';
import { lambdaDeps } from '../../shared/runtime/lambda.js';
import { createClerkHookApp } from './app.js';

const telemetry = createPowertoolsTelemetry('clerk-hook');

export const handler = instrument(handle(createClerkHookApp(lambdaDeps(telemetry), telemetry)), telemetry);
