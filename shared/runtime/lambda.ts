/** The composition root inside Lambda: config from the environment, secrets from Secrets Manager, DynamoDB. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type LambdaConfig, loadLambdaConfig } from '../config/lambda.js';
import { createDefastraClient } from '../defastra/client.js';
import { DefastraAuthError } from '../defastra/errors.js';
import type { Telemetry } from '../observability/telemetry.js';
import { fixedPolicy } from '../policy/source.js';
import { createHasher, deriveKey } from '../screening/hashing.js';
import { isUnsetSecret } from '../secrets/placeholder.js';
import { createSecretReader, type SecretReader } from '../secrets/secrets-manager.js';
import { createDynamoStore } from '../store/dynamo/store.js';
import { type AppDeps, type DepsProvider, lazyDeps, splitSecrets, splitSpaceSecrets } from './deps.js';

/** A list secret (comma separated); empty while unset or still the placeholder, so every signature fails. */
const listSecret = (secrets: SecretReader, arn: string | undefined) => async (): Promise<string[]> => {
  if (!arn) return [];
  const value = await secrets.get(arn);
  return isUnsetSecret(value) ? [] : splitSecrets(value);
};

/** The Defastra key; a placeholder is a NO_KEY error, which on_error decides and the fatal-error alarm reports. */
const defastraKey = (secrets: SecretReader, arn: string, force: boolean) => async (): Promise<string> => {
  const value = (await secrets.get(arn, { force })).trim();
  if (isUnsetSecret(value)) {
    throw new DefastraAuthError('NO_KEY', 'the Defastra API key secret is not set yet (see docs/deploy.md)');
  }
  return value;
};

/** Builds the deps from `env` on first use (cold start); a failed secret fetch is retried on the next request. */
export const lambdaDeps = (
  telemetry: Telemetry,
  env: NodeJS.ProcessEnv = process.env,
  secrets?: SecretReader,
): DepsProvider =>
  lazyDeps(async () => {
    const config: LambdaConfig = loadLambdaConfig(env);
    const reader = secrets ?? createSecretReader({ maxAgeMs: config.secretsMaxAgeMs });
    const { secretArns } = config;
    const pepper = await reader.get(secretArns.pepper);
    const deps: AppDeps = {
      policy: fixedPolicy(config.policy),
      store: createDynamoStore({
        client: new DynamoDBClient({}),
        tableName: config.tableName,
        cursorKey: deriveKey(pepper, 'cursor'),
      }),
      defastra: createDefastraClient({
        baseUrl: config.defastraBaseUrl,
        apiKey: defastraKey(reader, secretArns.defastraApiKey, false),
        refreshApiKey: defastraKey(reader, secretArns.defastraApiKey, true),
      }),
      hash: createHasher(pepper),
      telemetry,
      now: Date.now,
      apiAuth: { kind: 'iam' },
      auth0HookSecrets: listSecret(reader, secretArns.auth0HookSecret),
      stripeWebhookSecrets: listSecret(reader, secretArns.stripeWebhookSecret),
      supabaseHookSecrets: async () => {
        if (!secretArns.supabaseHookSecret) return [];
        const value = await reader.get(secretArns.supabaseHookSecret);
        return isUnsetSecret(value) ? [] : splitSpaceSecrets(value);
      },
      stripeApiKey: async () => {
        if (!secretArns.stripeApiKey) return null;
        const value = (await reader.get(secretArns.stripeApiKey)).trim();
        return isUnsetSecret(value) ? null : value;
      },
      stripeApiBaseUrl: config.stripeApiBaseUrl,
    };
    return deps;
  });
