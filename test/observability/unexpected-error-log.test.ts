/**
 * An unexpected error as the Powertools logger writes it: one ERROR line naming the error, its redacted message, where
 * it was thrown, the route pattern and the verdict id, under keys Powertools keeps (it drops `message` and the other
 * reserved keys with a warning). Only the process streams are captured; Powertools runs unmodified. The same line from
 * the deployed bundle, for a policy file it may not read (EACCES), is checked in test/artifact/bundles.test.ts.
 */
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApiApp } from '../../functions/api/app.js';
import { createBaseApp } from '../../shared/http/app-base.js';
import { createPowertoolsTelemetry } from '../../shared/observability/powertools.js';
import { lambdaDeps } from '../../shared/runtime/lambda.js';
import type { SecretReader } from '../../shared/secrets/secrets-manager.js';
import { type LambdaResult, lambdaContext, lambdaEvent } from '../helpers/lambda-events.js';

// biome-ignore lint/suspicious/noExplicitAny: log lines are checked field by field
type Json = any;

const RAW_EMAIL = 'jane.doe+signup@example.com';
const RAW_PHONE = '+33 6 12 34 56 78';

let chunks: string[] = [];
beforeEach(() => {
  chunks = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});
afterEach(() => vi.restoreAllMocks());

const output = (): string => chunks.join('');
const logLines = (): Json[] =>
  output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .filter((line) => !line._aws);

describe('an unexpected error in a request', () => {
  it('is logged with its name, redacted message, stack frame, route and verdict id, and nothing dropped', async () => {
    const telemetry = createPowertoolsTelemetry('api', { logLevel: 'INFO' });
    const app = createBaseApp(telemetry);
    app.post('/verdicts/:id/review', (c) => {
      c.set('verdictId', '01JDX3K8Y0Q5W6Z8N2M4P6R8T0');
      throw new RangeError(`cannot review for ${RAW_EMAIL} (${RAW_PHONE})`);
    });

    const response = await app.request('/verdicts/01JDX3K8Y0Q5W6Z8N2M4P6R8T0/review', { method: 'POST' });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });

    const line = logLines().find((l) => l.message === 'unexpected error');
    expect(line).toMatchObject({
      level: 'ERROR',
      error_name: 'RangeError',
      error_message: expect.stringMatching(/^cannot review for \S+ \(\*+78\)$/),
      error_at: expect.stringMatching(/^at /),
      route: '/verdicts/:id/review',
      verdict_id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0',
    });
    expect(output()).not.toContain(RAW_EMAIL);
    expect(output()).not.toContain('12 34 56');
    expect(output()).not.toMatch(/reserved key/);
  });

  it('names the file and the system error when the policy file cannot be read (api function, IAM route)', async () => {
    const telemetry = createPowertoolsTelemetry('api', { logLevel: 'INFO' });
    const missing = '/nonexistent/signup-gate/policy.json';
    const secrets: SecretReader = { get: async () => 'p'.repeat(64) }; // never reached: the policy is read first
    const deps = lambdaDeps(
      telemetry,
      {
        TABLE_NAME: 'signup-gate-table',
        POLICY_FILE: missing,
        DEFASTRA_API_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf',
        PEPPER_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:p-AbCdEf',
      },
      secrets,
    );
    const handler = handle(createApiApp(deps, telemetry));
    const result = (await handler(
      lambdaEvent({
        method: 'POST',
        path: '/screen',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: RAW_EMAIL }),
        iam: true,
      }) as unknown as LambdaEvent,
      lambdaContext('api'),
    )) as unknown as LambdaResult;

    expect(result.statusCode).toBe(500);
    expect(logLines().find((l) => l.message === 'unexpected error')).toMatchObject({
      level: 'ERROR',
      error_name: 'ConfigError',
      error_message: `cannot read the policy file ${missing}: ENOENT`,
      route: '/screen',
    });
    expect(output()).not.toContain(RAW_EMAIL);
    expect(output()).not.toMatch(/reserved key/);
  });
});
