/** The composition root inside Lambda: config from the environment, secrets from Secrets Manager, DynamoDB. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { perHook, splitHookSecrets } from '../config/hook-secrets.js';
import { type LambdaConfig, loadLambdaConfig } from '../config/lambda.js';
import { createDefastraClient } from '../defastra/client.js';
import { DefastraAuthError } from '../defastra/errors.js';
import type { Telemetry } from '../observability/telemetry.js';
import { policyDeps } from '../policy/source.js';
import { runtimePolicies } from '../policy-lifecycle/runtime.js';
import { createHasher, deriveKey } from '../screening/hashing.js';
import { isUnsetSecret } from '../secrets/placeholder.js';
import { createSecretReader, type SecretReader } from '../secrets/secrets-manager.js';
import { createDynamoPolicies, createDynamoStore } from '../store/dynamo/store.js';
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

/** The AES-256 key of re-screens (docs/rescreen.md), derived from the secret's text (generated at deploy). */
const rescreenKeyOf = (secrets: SecretReader, arn: string) => {
  let last: { value: string; key: Buffer } | undefined;
  return async (): Promise<Buffer> => {
    const value = await secrets.get(arn);
    if (last?.value !== value) last = { value, key: Buffer.from(deriveKey(value, 'rescreen'), 'hex') };
    return last.key;
  };
};

/** What does not depend on the pepper: built once per container (cold start). */
interface Base {
  config: LambdaConfig;
  reader: SecretReader;
  shared: Omit<AppDeps, 'hash' | 'store'>;
  client: DynamoDBClient;
}

/**
 * Builds the deps from `env` on first use (cold start); a failed first build is retried on the next request. The
 * pepper is read through the secret cache on every call, like every other secret, so a changed pepper is in use
 * within `secretsMaxAgeSeconds` (docs/deploy.md, section 12): the hasher and the cursor key are rebuilt from it, and
 * each call gets one consistent set (a request in flight keeps the one it started with). If the pepper cannot be
 * re-read once it was known, the last value stays in use: it never changes in normal operation, and failing every
 * screening for a Secrets Manager hiccup would be worse.
 */
export const lambdaDeps = (
  telemetry: Telemetry,
  env: NodeJS.ProcessEnv = process.env,
  secrets?: SecretReader,
): DepsProvider => {
  let current: { pepper: string; deps: AppDeps } | undefined;
  const buildBase = async (): Promise<Base> => {
    const config: LambdaConfig = loadLambdaConfig(env);
    const reader = secrets ?? createSecretReader({ maxAgeMs: config.secretsMaxAgeMs });
    const { secretArns } = config;
    const client = new DynamoDBClient({});
    // One policy runtime per container: the active version and the shadow, read from the table with a bounded age.
    const policies = runtimePolicies({
      file: config.policy,
      versions: createDynamoPolicies({ client, tableName: config.tableName }),
      now: Date.now,
      telemetry,
    });
    const shared: Base['shared'] = {
      ...policyDeps(policies),
      defastra: createDefastraClient({
        baseUrl: config.defastraBaseUrl,
        apiKey: defastraKey(reader, secretArns.defastraApiKey, false),
        refreshApiKey: defastraKey(reader, secretArns.defastraApiKey, true),
      }),
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
      hookSecrets: perHook((hook) => async () => {
        const arn = config.hookSecretArns[hook];
        if (!arn) return [];
        const value = await reader.get(arn);
        return isUnsetSecret(value) ? [] : splitHookSecrets(hook, value);
      }),
      stripeApiKey: async () => {
        if (!secretArns.stripeApiKey) return null;
        const value = (await reader.get(secretArns.stripeApiKey)).trim();
        return isUnsetSecret(value) ? null : value;
      },
      stripeApiBaseUrl: config.stripeApiBaseUrl,
      ...(secretArns.rescreenKey ? { rescreenKey: rescreenKeyOf(reader, secretArns.rescreenKey) } : {}),
    };
    return { config, reader, shared, client };
  };
  /** The deps for one pepper value: the hasher and the store's cursor key follow it. */
  const depsFor = ({ config, shared, client }: Base, pepper: string): AppDeps => ({
    ...shared,
    hash: createHasher(pepper),
    store: createDynamoStore({
      client,
      tableName: config.tableName,
      cursorKey: deriveKey(pepper, 'cursor'),
    }),
  });
  const base = lazyDeps(buildBase);
  return async () => {
    const built = await base();
    let pepper: string;
    try {
      pepper = await built.reader.get(built.config.secretArns.pepper);
    } catch (error) {
      if (current) return current.deps;
      throw error;
    }
    if (current?.pepper !== pepper) current = { pepper, deps: depsFor(built, pepper) };
    return current.deps;
  };
};
