/** Lambda entry of the `stripe-hook` function: the shared app behind API Gateway v2, instrumented with Powertools. */
import { handle } from 'hono/aws-lambda';
import { createPowertoolsTelemetry, instrument } from '../../shared/observability/powertools.js';
import { lambdaDeps } from '../../shared/runtime/lambda.js';
import { createStripeHookApp } from './app.js';

const telemetry = createPowertoolsTelemetry('stripe-hook');

export const handler = instrument(handle(createStripeHookApp(lambdaDeps(telemetry), telemetry)), telemetry);
