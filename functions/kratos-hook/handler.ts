/** Lambda entry of the `kratos-hook` function: the shared app behind API Gateway v2, instrumented with Powertools. */
import { handle } from 'hono/aws-lambda';
import { createPowertoolsTelemetry, instrument } from '../../shared/observability/powertools.js';
import { lambdaDeps } from '../../shared/runtime/lambda.js';
import { createKratosHookApp } from './app.js';

const telemetry = createPowertoolsTelemetry('kratos-hook');

export const handler = instrument(handle(createKratosHookApp(lambdaDeps(telemetry), telemetry)), telemetry);
