/** Lambda entry of the `firebase-hook` function: the shared app behind API Gateway v2, instrumented with Powertools. */
import { handle } from 'hono/aws-lambda';
import { createPowertoolsTelemetry, instrument } from '../../shared/observability/powertools.js';
import { lambdaDeps } from '../../shared/runtime/lambda.js';
import { createFirebaseHookApp } from './app.js';

const telemetry = createPowertoolsTelemetry('firebase-hook');

export const handler = instrument(handle(createFirebaseHookApp(lambdaDeps(telemetry), telemetry)), telemetry);
