/** Lambda entry of the `workos-hook` function: the shared app behind API Gateway v2, instrumented with Powertools. */
import { handle } from 'hono/aws-lambda';
import { createPowertoolsTelemetry, instrument } from '../../shared/observability/powertools.js';
import { lambdaDeps } from '../../shared/runtime/lambda.js';
import { createWorkosHookApp } from './app.js';

const telemetry = createPowertoolsTelemetry('workos-hook');

export const handler = instrument(handle(createWorkosHookApp(lambdaDeps(telemetry), telemetry)), telemetry);
