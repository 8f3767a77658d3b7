/** The composition root inside Lambda: config from the environment, secrets from Secrets Manager, DynamoDB. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type LambdaConfig, loadLambdaConfig } from '../config/lambda.js';
import { createDefastraClient } from '../defastra/client.js';
import type { Telemetry } from '../observability/telemetry.js';
import { createHasher, deriveKey } from '../screening/hashing.js';
import { createSecretReader, type SecretReader } from '../secrets/secrets-manager.js';
import { DynamoVerdictStore } from '../store/dynamodb.js';
import { type AppDeps, type DepsProvider, lazyDeps, splitSecrets } from './deps.js';

const optionalSecret = (secrets: SecretReader, arn: string | undefined) => async (): Promise<string[]> =>
  arn ? splitSecrets(await secrets.get(arn)) : [];

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
      policy: config.policy,
      store: new DynamoVerdictStore({
        client: new DynamoDBClient({}),
        tableName: config.tableName,
        cursorKey: deriveKey(pepper, 'cursor'),
      }),
      defastra: createDefastraClient({
        baseUrl: config.defastraBaseUrl,
        apiKey: () => reader.get(secretArns.defastraApiKey),
        refreshApiKey: () => reader.get(secretArns.defastraApiKey, { force: true }),
      }),
      hash: createHasher(pepper),
      telemetry,
      now: Date.now,
      apiAuth: { kind: 'iam' },
      auth0HookSecrets: optionalSecret(reader, secretArns.auth0HookSecret),
      stripeWebhookSecrets: optionalSecret(reader, secretArns.stripeWebhookSecret),
      stripeApiKey: async () =>
        secretArns.stripeApiKey ? (await reader.get(secretArns.stripeApiKey)).trim() || null : null,
      stripeApiBaseUrl: config.stripeApiBaseUrl,
    };
    return deps;
  });
