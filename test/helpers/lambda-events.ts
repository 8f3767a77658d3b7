/** Test helper: real API Gateway v2 (HTTP API, payload 2.0) and Lambda Function URL event shapes. */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { LambdaEvent } from 'hono/aws-lambda';

export interface EventInput {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Send the body base64-encoded with `isBase64Encoded: true`, as API Gateway does for some media types. */
  base64?: boolean;
  query?: Record<string, string>;
  /** `apigw` (default: lower-cased header names, like API Gateway v2) or `url` (Function URL, names kept as given). */
  kind?: 'apigw' | 'url';
  /** Add the IAM authoriser context API Gateway sets on a SigV4-authorised route. */
  iam?: boolean;
}

const requestTimeEpoch = () => Date.now();

/** Builds the event; header names are lower-cased for API Gateway v2 and kept as given for Function URLs. */
/** The v2 event as AWS documents it, with `body: null` when absent (what both AWS and Hono's adapter expect). */
export type HttpApiEvent = Omit<APIGatewayProxyEventV2, 'body'> & { body: string | null };

export const lambdaEvent = (input: EventInput): LambdaEvent => {
  const kind = input.kind ?? 'apigw';
  const headers: Record<string, string> = {
    host:
      kind === 'url'
        ? 'abcdefghij.lambda-url.eu-west-1.on.aws'
        : 'abc123.execute-api.eu-west-1.amazonaws.com',
    'user-agent': 'vitest',
    'x-forwarded-proto': 'https',
  };
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    headers[kind === 'apigw' ? name.toLowerCase() : name] = value;
  }
  if (input.body !== undefined) headers['content-length'] ??= String(Buffer.byteLength(input.body));
  const rawQueryString = new URLSearchParams(input.query ?? {}).toString();
  const domainName = headers.host!;
  const event: HttpApiEvent = {
    version: '2.0',
    routeKey: kind === 'url' ? '$default' : `${input.method} ${input.path}`,
    rawPath: input.path,
    rawQueryString,
    headers,
    ...(input.query ? { queryStringParameters: input.query } : {}),
    requestContext: {
      accountId: kind === 'url' ? 'anonymous' : '123456789012',
      apiId: kind === 'url' ? 'abcdefghij' : 'abc123',
      domainName,
      domainPrefix: domainName.split('.')[0]!,
      http: {
        method: input.method,
        path: input.path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: 'vitest',
      },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey: kind === 'url' ? '$default' : `${input.method} ${input.path}`,
      ...(input.iam
        ? {
            authorizer: {
              iam: {
                accessKey: 'ASIAEXAMPLEEXAMPLE00',
                accountId: '123456789012',
                callerId: 'AROAEXAMPLE:operator',
                principalOrgId: null,
                userArn: 'arn:aws:sts::123456789012:assumed-role/operator/session',
                userId: 'AROAEXAMPLE:operator',
                cognitoIdentity: null,
              },
            },
          }
        : {}),
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: requestTimeEpoch(),
    },
    body:
      input.body === undefined
        ? null
        : input.base64
          ? Buffer.from(input.body).toString('base64')
          : input.body,
    isBase64Encoded: input.body !== undefined && input.base64 === true,
  };
  // Hono's event type insists on `requestContext.authorizer`, which AWS sends only on authorised routes.
  return event as unknown as LambdaEvent;
};

/** A minimal but complete Lambda context. */
export const lambdaContext = (functionName = 'signup-gate-test'): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
  memoryLimitInMB: '512',
  awsRequestId: `req-${Math.random().toString(36).slice(2)}`,
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: '2026/11/26/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => 10_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
});

export type LambdaResult = Exclude<APIGatewayProxyResultV2, string>;

/** Decodes a handler result's body as JSON (base64 too). */
export const resultJson = (result: LambdaResult): unknown => {
  const body = result.body ?? '';
  return JSON.parse(result.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body);
};
