/** Lambda entry of the `api` function: the shared app behind API Gateway v2, instrumented with Powertools. */
import { handle } from 'hono/aws-lambda';
import { createPowertoolsTelemetry, instrument } from '../../shared/observability/powertools.js';
import { lambdaDeps } from '../../shared/runtime/lambda.js';
import { createApiApp } from './app.js';

const telemetry = createPowertoolsTelemetry('api');

export const handler = instrument(handle(createApiApp(lambdaDeps(telemetry), telemetry)), telemetry);
