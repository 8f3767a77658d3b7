/**
 * Secrets at cold start. AWS Secrets Manager cannot run here, so it is faked twice, and only it: a
 * `SecretReader` that fails its first fetch, handed to the real Lambda composition root
 * (`lambdaDeps(telemetry, env, secretReader)`) behind the real handler (`handle(createApiApp(...))`), and a fake
 * client `send` under the real `createSecretReader`. DynamoDB is dynalite and Defastra the sandbox, both on
 * loopback: the SDK's DynamoDB client (built by `lambdaDeps` with no options, as in Lambda) is pointed at
 * dynalite through `AWS_ENDPOINT_URL_DYNAMODB`, with static test credentials, so nothing leaves 127.0.0.1.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../functions/api/app.js';
import type { Verdict } from '../../shared/core/verdict.js';
import { type Sandbox, startSandbox } from '../../shared/defastra/sandbox/server.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { lambdaDeps } from '../../shared/runtime/lambda.js';
import {
  createSecretReader,
  type SecretReader,
  SecretUnavailableError,
} from '../../shared/secrets/secrets-manager.js';
import { type DynaliteHandle, startDynalite } from '../helpers/dynalite.js';
import { type LambdaResult, lambdaContext, lambdaEvent } from '../helpers/lambda-events.js';
import { policyFile } from '../helpers/policy-file.js';

const ARN = {
  defastra: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signup-gate/defastra-AbCdEf',
  pepper: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signup-gate/pepper-AbCdEf',
};
const PEPPER = 'pepper-from-secrets-manager-0123456789abcdef';

describe('a secret fetch failing at cold start (Lambda handler)', () => {
  let sandbox: Sandbox;
  let store: DynaliteHandle;
  const saved: Record<string, string | undefined> = {};
  const awsEnv = (endpoint: string): Record<string, string> => ({
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
  });

  beforeAll(async () => {
    sandbox = await startSandbox();
    store = await startDynalite();
    for (const [name, value] of Object.entries(awsEnv(store.endpoint))) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await sandbox.close();
    await store.close();
  });

  it('answers a clear 500 (no secret, no stack) and works on the next call, without a new cold start', async () => {
    const values: Record<string, string> = { [ARN.pepper]: PEPPER, [ARN.defastra]: sandbox.apiKey };
    const fetched: string[] = [];
    let failuresLeft = 1;
    // The fake Secrets Manager: the first fetch fails as a throttled or unreachable service would.
    const secrets: SecretReader = {
      get: async (secretId) => {
        fetched.push(secretId);
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new SecretUnavailableError(`cannot read secret ${secretId}: ThrottlingException`);
        }
        const value = values[secretId];
        if (value === undefined) throw new SecretUnavailableError(`no such secret ${secretId}`);
        return value;
      },
    };
    const env = {
      TABLE_NAME: store.tableName,
      POLICY_FILE: policyFile(),
      DEFASTRA_BASE_URL: sandbox.url,
      DEFASTRA_API_KEY_SECRET_ARN: ARN.defastra,
      PEPPER_SECRET_ARN: ARN.pepper,
    };
    const handler = handle(createApiApp(lambdaDeps(silentTelemetry, env, secrets), silentTelemetry));
    const invoke = async (body: string) =>
      (await handler(
        lambdaEvent({
          method: 'POST',
          path: '/screen',
          headers: { 'Content-Type': 'application/json' },
          body,
          // Signed with SigV4 and checked by the HTTP API's IAM authoriser, whose context the event carries.
          iam: true,
        }) as unknown as LambdaEvent,
        lambdaContext('api'),
      )) as unknown as LambdaResult;
    const body = JSON.stringify({ email: 'cold.start@example.org', reference: 'cold-start' });

    const failed = await invoke(body);
    expect(failed.statusCode).toBe(500);
    const text = failed.body ?? '';
    const error = JSON.parse(text) as { error: { code: string; message: string } };
    expect(Object.keys(error)).toEqual(['error']);
    expect(error.error.code).toBe('internal');
    expect(error.error.message.length).toBeGreaterThan(0);
    for (const leak of [PEPPER, sandbox.apiKey, 'arn:aws', 'Throttling', 'cold.start@example.org']) {
      expect(text).not.toContain(leak);
    }
    expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|file:\/\//);
    expect(sandbox.stats().requests).toBe(0);

    const ok = await invoke(body);
    expect(ok.statusCode).toBe(200);
    const verdict = JSON.parse(ok.body ?? '') as Verdict;
    expect(verdict).toMatchObject({
      source: 'api',
      source_ref: 'cold-start',
      decision: 'allow',
      degraded: false,
    });
    expect(verdict.email?.risk_level).toBe('low');
    expect(sandbox.stats().byEndpoint.email).toBe(1);
    // The pepper was the failed fetch, and was fetched again (the failure is not cached), then the Defastra key.
    // This fake reader has no cache, so every deps() call of the second request reads the pepper once more.
    expect(fetched[0]).toBe(ARN.pepper);
    expect(fetched.filter((id) => id === ARN.pepper).length).toBeGreaterThanOrEqual(2);
    expect(fetched).toContain(ARN.defastra);
  });
});

describe('createSecretReader (fake Secrets Manager client)', () => {
  /** A fake of the AWS SDK client: records each GetSecretValue and answers from a script. */
  const fakeClient = (answer: (secretId: string, call: number) => Promise<{ SecretString?: string }>) => {
    const calls: string[] = [];
    const client = {
      send: async (command: GetSecretValueCommand) => {
        expect(command).toBeInstanceOf(GetSecretValueCommand);
        const id = command.input.SecretId ?? '';
        calls.push(id);
        return answer(id, calls.length);
      },
    } as unknown as Pick<SecretsManagerClient, 'send'>;
    return { client, calls };
  };

  it('caches a value for maxAge, then fetches it again', async () => {
    let now = 1_000_000;
    const { client, calls } = fakeClient(async (_id, call) => ({ SecretString: `value-${call}` }));
    const reader = createSecretReader({ client, maxAgeMs: 60_000, now: () => now });
    expect(await reader.get('a')).toBe('value-1');
    now += 59_999;
    expect(await reader.get('a')).toBe('value-1');
    now += 2;
    expect(await reader.get('a')).toBe('value-2');
    expect(calls).toEqual(['a', 'a']);
  });

  it('keeps one entry per secret id', async () => {
    const { client, calls } = fakeClient(async (id) => ({ SecretString: `value-of-${id}` }));
    const reader = createSecretReader({ client });
    expect(await reader.get('a')).toBe('value-of-a');
    expect(await reader.get('b')).toBe('value-of-b');
    expect(await reader.get('a')).toBe('value-of-a');
    expect(calls).toEqual(['a', 'b']);
  });

  it('refetches on force (rotation) and serves the new value afterwards', async () => {
    const { client, calls } = fakeClient(async (_id, call) => ({ SecretString: call === 1 ? 'old' : 'new' }));
    const reader = createSecretReader({ client });
    expect(await reader.get('key')).toBe('old');
    expect(await reader.get('key', { force: true })).toBe('new');
    expect(await reader.get('key')).toBe('new');
    expect(calls).toHaveLength(2);
  });

  it('shares one request among concurrent callers', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { client, calls } = fakeClient(async () => {
      await gate;
      return { SecretString: 'shared' };
    });
    const reader = createSecretReader({ client });
    const pending = Array.from({ length: 20 }, () => reader.get('key'));
    release();
    expect(await Promise.all(pending)).toEqual(Array.from({ length: 20 }, () => 'shared'));
    expect(calls).toHaveLength(1);
  });

  it('does not cache a failure: the next call fetches again, and concurrent callers share the failure', async () => {
    const { client, calls } = fakeClient(async (_id, call) => {
      if (call === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return { SecretString: 'recovered' };
    });
    const reader = createSecretReader({ client });
    const [a, b] = await Promise.allSettled([reader.get('key'), reader.get('key')]);
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('rejected');
    const reason = (a as PromiseRejectedResult).reason as Error;
    expect(reason).toBeInstanceOf(SecretUnavailableError);
    expect(reason.message).toContain('ThrottlingException');
    expect(calls).toHaveLength(1);
    expect(await reader.get('key')).toBe('recovered');
    expect(calls).toHaveLength(2);
  });

  it('treats an empty or binary-only secret as unavailable, without caching it', async () => {
    const { client, calls } = fakeClient(async (_id, call) => (call === 1 ? {} : { SecretString: '' }));
    const reader = createSecretReader({ client });
    await expect(reader.get('key')).rejects.toBeInstanceOf(SecretUnavailableError);
    await expect(reader.get('key')).rejects.toThrow(/no string value/);
    expect(calls).toHaveLength(2);
  });

  it('never puts the secret value in an error message', async () => {
    const { client } = fakeClient(async () => {
      throw Object.assign(new Error('super-secret-value leaked by a bad SDK message'), {
        name: 'InternalServiceError',
      });
    });
    const reader = createSecretReader({ client });
    const error = (await reader.get('key').catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('cannot read secret key: InternalServiceError');
    expect(error.message).not.toContain('super-secret-value');
  });
});
