/** The Hono environment our apps share: per-request variables set by middleware. */
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';

export interface AppEnv {
  Bindings: { event?: LambdaEvent; lambdaContext?: LambdaContext };
  Variables: {
    /** The raw request body, read once by `readBody`. */
    rawBody: string;
    /** The parsed JSON body, set by `parseJson`. */
    json: unknown;
  };
}
