/** The Hono environment our apps share: per-request variables set by middleware. */
import type { ApiGatewayRequestContextV2, LambdaContext, LambdaEvent } from 'hono/aws-lambda';

export interface AppEnv {
  /** Set by Hono's Lambda adapter; absent on the local server. */
  Bindings: {
    event?: LambdaEvent;
    lambdaContext?: LambdaContext;
    requestContext?: ApiGatewayRequestContextV2;
  };
  Variables: {
    /** The raw request body, read once by `readBody`. */
    rawBody: string;
    /** The same body as bytes (signatures are checked over the exact bytes). */
    rawBytes: Uint8Array;
    /** The verdict the request made or returned, for the access log line. */
    verdictId: string;
    /** The parsed JSON body, set by `parseJson`. */
    json: unknown;
    /** The delivery id a verified signature covers (webhook-id, svix-id), set by `verifySignature`. */
    webhookId: string;
  };
}
