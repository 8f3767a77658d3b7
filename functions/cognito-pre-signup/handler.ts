/** Lambda entry of the `cognito-pre-signup` function: Cognito's pre sign-up trigger, instrumented with Powertools. */
import type { PreSignUpTriggerEvent } from 'aws-lambda';
import { createPowertoolsTelemetry, instrument } from '../../shared/observability/powertools.js';
import { lambdaDeps } from '../../shared/runtime/lambda.js';
import { createPreSignUpHandler } from './pre-signup.js';

const telemetry = createPowertoolsTelemetry('cognito-pre-signup');
const run = createPreSignUpHandler(lambdaDeps(telemetry), telemetry);

export const handler = instrument((event: PreSignUpTriggerEvent, context) => run(event, context), telemetry);
