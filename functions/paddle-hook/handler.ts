/** Lambda entry of the `paddle-hook` function: the shared app behind API Gateway v2, instrumented with Powertools. */
import { handle } from 'hono/aws-lambda';
import { createPowertoolsTelemetry, instrument } from '../../shared/observability/powertools.js';
import { lambdaDeps } from '../../shared/runtime/lambda.js';
import { createPaddleHookApp } from './app.js';

const telemetry = createPowertoolsTelemetry('paddle-hook');

export const handler = instrument(handle(createPaddleHookApp(lambdaDeps(telemetry), telemetry)), telemetry);
