/** The Lambda composition root: config from the environment and secrets through the SecretReader port. */
import type { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { DefastraAuthError } from '../../shared/defastra/errors.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { lambdaDeps } from '../../shared/runtime/lambda.js';
import { createHasher, deriveKey } from '../../shared/screening/hashing.js';
import { SECRET_PLACEHOLDER } from '../../shared/secrets/placeholder.js';
import { createSecretReader, type SecretReader } from '../../shared/secrets/secrets-manager.js';
import { encodeListCursor } from '../../shared/store/cursor.js';
import { InvalidCursorError } from '../../shared/store/errors.js';
import { policyFile } from '../helpers/policy-file.js';

const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;
const env = {
  TABLE_NAME: 'signup-gate-table',
  POLICY_FILE: policyFile({ version: 'from-env' }),
  DEFASTRA_API_KEY_SECRET_ARN: arn('defastra'),
  PEPPER_SECRET_ARN: arn('pepper'),
  AUTH0_HOOK_SECRET_ARN: arn('auth0'),
  STRIPE_WEBHOOK_SECRET_ARN: arn('stripe-webhook'),
  STRIPE_API_KEY_SECRET_ARN: arn('stripe-api'),
};

/** Stands in for AWS Secrets Manager, which cannot run here: a map from ARN to value. */
const fakeSecrets = (values: Record<string, string>): SecretReader & { reads: string[] } => {
  const reads: string[] = [];
  return {
    reads,
    get: async (id) => {
      reads.push(id);
      const value = values[id];
      if (value === undefined) throw new Error(`no secret ${id}`);
      return value;
    },
  };
};

describe('lambdaDeps', () => {
  it('builds deps from the environment, reading only the pepper at cold start', async () => {
    const secrets = fakeSecrets({ [arn('pepper')]: 'p'.repeat(64), [arn('auth0')]: 'one, two' });
    const deps = await lambdaDeps(silentTelemetry, env, secrets)();
    expect(secrets.reads).toEqual([arn('pepper')]);
    // The bundled file is the base version; the active one is read from the table on first use.
    expect(deps.policies.file.base.version).toBe('from-env');
    expect(deps.apiAuth).toEqual({ kind: 'iam' });
    expect(await deps.auth0HookSecrets()).toEqual(['one', 'two']);
  });

  it('treats the deploy-time placeholder as unset', async () => {
    const secrets = fakeSecrets({
      [arn('pepper')]: 'p'.repeat(64),
      [arn('stripe-webhook')]: SECRET_PLACEHOLDER,
      [arn('stripe-api')]: SECRET_PLACEHOLDER,
      [arn('defastra')]: SECRET_PLACEHOLDER,
    });
    const deps = await lambdaDeps(silentTelemetry, env, secrets)();
    expect(await deps.stripeWebhookSecrets()).toEqual([]);
    expect(await deps.stripeApiKey()).toBeNull();
    const call = deps.defastra.checkEmail('jane@example.com');
    await expect(call).rejects.toBeInstanceOf(DefastraAuthError);
    await expect(call).rejects.toMatchObject({ type: 'NO_KEY' });
  });

  it('fails with a clear error on a bad environment, and retries on the next call', async () => {
    const secrets = fakeSecrets({ [arn('pepper')]: 'p'.repeat(64) });
    const provider = lambdaDeps(
      silentTelemetry,
      { ...env, POLICY_FILE: policyFile('{"thresholds":{"email":{"block":"x"}}}') },
      secrets,
    );
    await expect(provider()).rejects.toThrow(/thresholds\.email\.block/);
    const missing = lambdaDeps(silentTelemetry, { ...env, TABLE_NAME: undefined }, secrets);
    await expect(missing()).rejects.toThrow(/TABLE_NAME/);
  });

  it('follows a changed pepper once the cache age passes: hasher and cursor key (real reader, fake client, injected clock)', async () => {
    const OLD = 'old-pepper-0123456789abcdef';
    const NEW = 'new-pepper-fedcba9876543210';
    const values: Record<string, string> = { [arn('pepper')]: NEW };
    let clock = 1_000_000;
    let fetches = 0;
    let failing = false;
    // Stands in for AWS Secrets Manager (the SDK client's send), under the real caching reader.
    const client = {
      send: async (command: GetSecretValueCommand) => {
        fetches += 1;
        if (failing) throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
        return { SecretString: values[command.input.SecretId ?? ''] };
      },
    };
    const reader = createSecretReader({ client, maxAgeMs: 300_000, now: () => clock });
    const provider = lambdaDeps(silentTelemetry, { ...env, SECRETS_MAX_AGE_SECONDS: '300' }, reader);

    // A fresh stack's generated pepper is in use at the first request...
    const first = await provider();
    expect(first.hash('email', 'jane@example.com')).toBe(createHasher(NEW)('email', 'jane@example.com'));
    // ...then the operator copies the old stack's pepper in (docs/deploy.md, section 12).
    values[arn('pepper')] = OLD;
    clock += 299_000;
    expect(await provider()).toBe(first); // still within the cache age: same deps, no fetch
    expect(fetches).toBe(1);

    clock += 2_000;
    const second = await provider();
    expect(fetches).toBe(2);
    expect(second).not.toBe(first);
    expect(second.hash('email', 'jane@example.com')).toBe(createHasher(OLD)('email', 'jane@example.com'));
    // A request in flight keeps the set it started with.
    expect(first.hash('email', 'jane@example.com')).toBe(createHasher(NEW)('email', 'jane@example.com'));
    // The cursor key follows: a cursor sealed under the old key is refused before any table call, and so is one
    // sealed under the new key by the deps built for the old one.
    const query = { limit: 10 };
    const sealedWith = (pepper: string) =>
      encodeListCursor(deriveKey(pepper, 'cursor'), query, '01JDX3K8Y0Q5W6Z8N2M4P6R8T0');
    await expect(second.store.lists.query({ ...query, cursor: sealedWith(NEW) })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    await expect(first.store.lists.query({ ...query, cursor: sealedWith(OLD) })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    // Unchanged value at the next refresh: the same deps.
    clock += 301_000;
    expect(await provider()).toBe(second);
    expect(fetches).toBe(3);

    // Secrets Manager failing at a refresh: the last known pepper stays in use.
    failing = true;
    clock += 301_000;
    expect(await provider()).toBe(second);
    expect(fetches).toBe(4);
  });

  it('has no pepper to fall back on at cold start: a failed read fails the request, the next one retries', async () => {
    let failures = 1;
    const secrets: SecretReader = {
      get: async (id) => {
        if (failures-- > 0) throw new Error(`cannot read ${id}`);
        return 'p'.repeat(64);
      },
    };
    const provider = lambdaDeps(silentTelemetry, env, secrets);
    await expect(provider()).rejects.toThrow(/cannot read/);
    expect((await provider()).hash('phone', '+33612345678')).toBe(
      createHasher('p'.repeat(64))('phone', '+33612345678'),
    );
  });
});
