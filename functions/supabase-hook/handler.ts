/** Lambda entry of the `supabase-hook` function: the shared app behind API Gateway v2, instrumented with Powertools. */
import { handle } from 'hono/aws-lambda';
import { createPowertoolsTelemetry, instrument } from '../../shared/observability/powertools.js';
import { lambdaDeps } from '../../shared/runtime/lambda.js';
import { createSupabaseHookApp } from './app.js';

const telemetry = createPowertoolsTelemetry('supabase-hook');

export const handler = instrument(handle(createSupabaseHookApp(lambdaDeps(telemetry), telemetry)), telemetry);
