/** The Lambda composition root: config from the environment and secrets through the SecretReader port. */
import { describe, expect, it } from 'vitest';
import { DefastraAuthError } from '../../shared/defastra/errors.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { lambdaDeps } from '../../shared/runtime/lambda.js';
import { SECRET_PLACEHOLDER } from '../../shared/secrets/placeholder.js';
import type { SecretReader } from '../../shared/secrets/secrets-manager.js';
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
    expect((await deps.policy()).base.version).toBe('from-env');
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
});
