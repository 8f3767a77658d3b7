/**
 * CloudWatch Logs bytes per request, measured: the in-memory twin of the server runs with the Lambda functions'
 * own Powertools telemetry, each request wrapped as `instrument` wraps an invocation (Lambda context on the logger,
 * metrics flushed as EMF at the end), and every byte the telemetry writes to stdout and stderr is counted instead
 * of printed. Lambda's own START/END/REPORT lines and API Gateway's access log line are not part of this.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { createPowertoolsTelemetry } from '../../shared/observability/powertools.js';
import { type MemoryServer, startMemoryServer } from './memory-server.js';

export interface LogBytes {
  requests: number;
  bytesPerRequest: number;
  linesPerRequest: number;
}

/** A Lambda context shaped like the deployed function's (CDK-generated names are about this long). */
const lambdaContext = (): Context => {
  const functionName = 'SignupGate-ApiFunction6D0F6C35-Ab1Cd2Ef3Gh4';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/11/30/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

type Write = typeof process.stdout.write;

/**
 * Runs `requests` calls of `make` against a twin whose telemetry is the functions' own, after `warmup` calls that
 * are not counted (the first invocation also logs the cold-start metric), and returns the bytes written per request.
 */
export const measureLogBytes = async (
  latencyMs: number,
  warmup: number,
  requests: number,
  make: (server: MemoryServer) => Promise<void>,
): Promise<LogBytes> => {
  const telemetry = createPowertoolsTelemetry('api');
  let counting = false;
  let bytes = 0;
  let lines = 0;
  const server = await startMemoryServer({
    latencyMs,
    telemetry,
    around: async (handle) => {
      telemetry.startInvocation(lambdaContext());
      try {
        return await handle();
      } finally {
        telemetry.flush();
      }
    },
  });
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const capture = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (counting) {
      bytes += Buffer.byteLength(text, 'utf8');
      lines += text.split('\n').length - 1;
    }
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as Write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    for (let i = 0; i < warmup; i++) await make(server);
    counting = true;
    for (let i = 0; i < requests; i++) await make(server);
  } finally {
    counting = false;
    process.stdout.write = originals.out;
    process.stderr.write = originals.err;
    await server.close();
  }
  return { requests, bytesPerRequest: bytes / requests, linesPerRequest: lines / requests };
};
