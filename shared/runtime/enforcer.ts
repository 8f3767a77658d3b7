/**
 * The composition root of the `enforcer` function (docs/enforcement.md): config from the environment, the provider
 * credentials from Secrets Manager (read through the secret cache on each use, so a value set or rotated after deploy
 * is picked up), the verdict port over DynamoDB, the runtime policy
 * (the bundled file until a version is stored).
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type EnforcerConfig, loadEnforcerConfig } from '../config/enforcer.js';
import { createEnforcer, type Enforcer } from '../enforce/enforcer.js';
import { type AccountProvider, EnforcementError } from '../enforce/port.js';
import { createAuth0Provider } from '../enforce/providers/auth0.js';
import { createClerkProvider } from '../enforce/providers/clerk.js';
import { createCognitoProvider } from '../enforce/providers/cognito.js';
import type { Providers } from '../enforce/providers/index.js';
import { createStripeProvider } from '../enforce/providers/stripe.js';
import { createSupabaseProvider } from '../enforce/providers/supabase.js';
import type { Telemetry } from '../observability/telemetry.js';
import { policyDeps } from '../policy/source.js';
import { runtimePolicies } from '../policy-lifecycle/runtime.js';
import { isUnsetSecret } from '../secrets/placeholder.js';
import { createSecretReader, type SecretReader } from '../secrets/secrets-manager.js';
import { createDynamoPolicies, createDynamoStore } from '../store/dynamo/store.js';
import * as z from '../validation/zod.js';

/** A secret's value, or null while unset (the placeholder); a read that fails is worth another try later. */
const secretValue = async (reader: SecretReader, arn: string | undefined): Promise<string | null> => {
  if (!arn) return null;
  let value: string;
  try {
    value = (await reader.get(arn)).trim();
  } catch {
    throw new EnforcementError('secret_unavailable', true);
  }
  return isUnsetSecret(value) ? null : value;
};

/**
 * A provider built from a secret's current value: rebuilt when the value changes (so its caches, e.g. Auth0's token,
 * live as long as the credentials do). An unset secret is `not_configured`, an unreadable one `bad_secret`.
 */
const fromSecret = <T>(
  reader: SecretReader,
  arn: string | undefined,
  parse: (value: string) => T,
  build: (settings: T) => AccountProvider,
): AccountProvider => {
  let built: { value: string; provider: AccountProvider } | undefined;
  const current = async (): Promise<AccountProvider> => {
    const value = await secretValue(reader, arn);
    if (value === null) throw new EnforcementError('not_configured', false);
    if (built?.value !== value) {
      let settings: T;
      try {
        settings = parse(value);
      } catch {
        throw new EnforcementError('bad_secret', false);
      }
      built = { value, provider: build(settings) };
    }
    return built.provider;
  };
  return {
    block: async (account) => (await current()).block(account),
    unblock: async (account) => (await current()).unblock(account),
  };
};

const auth0Secret = z.object({
  domain: z.string().check(z.minLength(1)),
  client_id: z.string().check(z.minLength(1)),
  client_secret: z.string().check(z.minLength(1)),
});
const supabaseSecret = z.object({
  url: z.url({ protocol: /^https?$/ }),
  service_role_key: z.string().check(z.minLength(1)),
});

/** Every adapter, its credentials read from the secrets the stack gives this function. */
export const lambdaProviders = (config: EnforcerConfig, reader: SecretReader): Providers => ({
  auth0: fromSecret(
    reader,
    config.secretArns.auth0Management,
    (value) => z.parse(auth0Secret, JSON.parse(value)),
    (s) =>
      createAuth0Provider({
        domain: s.domain,
        clientId: s.client_id,
        clientSecret: async () => s.client_secret,
      }),
  ),
  supabase: fromSecret(
    reader,
    config.secretArns.supabaseAdmin,
    (value) => z.parse(supabaseSecret, JSON.parse(value)),
    (s) => createSupabaseProvider({ url: s.url, serviceRoleKey: async () => s.service_role_key }),
  ),
  clerk: createClerkProvider({
    baseUrl: config.clerkApiBaseUrl,
    secretKey: () => secretValue(reader, config.secretArns.clerkSecretKey),
  }),
  stripe: createStripeProvider({
    apiKey: () => secretValue(reader, config.secretArns.stripeApiKey),
    baseUrl: config.stripeApiBaseUrl,
  }),
  // The function's role, scoped to the pools (docs/deploy.md); AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER may point
  // the client elsewhere, as for any AWS SDK client.
  cognito: createCognitoProvider(),
});

/** Builds the enforcer from `env` (once per cold start). */
export const lambdaEnforcer = (
  telemetry: Telemetry,
  env: NodeJS.ProcessEnv = process.env,
  secrets?: SecretReader,
): Enforcer => {
  const config = loadEnforcerConfig(env);
  const reader = secrets ?? createSecretReader({ maxAgeMs: config.secretsMaxAgeMs });
  // The enforcer lists nothing, so no cursor is ever signed: a random key stands in for the pepper-derived one,
  // and the function needs no access to the pepper.
  const client = new DynamoDBClient({});
  const store = createDynamoStore({
    client,
    tableName: config.tableName,
    cursorKey: randomBytes(32).toString('hex'),
  });
  // The runtime policy (docs/policy-lifecycle.md): an `enforce.<source>` switched at runtime governs the enforcer too.
  const policies = runtimePolicies({
    file: config.policy,
    versions: createDynamoPolicies({ client, tableName: config.tableName }),
    now: Date.now,
    telemetry,
  });
  return createEnforcer({
    verdicts: store.verdicts,
    policy: policyDeps(policies).policy,
    providers: lambdaProviders(config, reader),
    telemetry,
    now: Date.now,
  });
};
