/** Lambda configuration: environment set by the CDK stack → validated config object. */
import type { Policy } from '../policy/schema.js';
import * as z from '../validation/zod.js';
import { parseEnv } from './errors.js';
import { HOOK_SECRET_SETTINGS, type ProviderHook, perHook } from './hook-secrets.js';
import { loadBundledPolicy } from './policy-file.js';

const arn = z.string().check(z.regex(/^arn:aws[a-z-]*:secretsmanager:/, 'expected a Secrets Manager ARN'));

const lambdaEnv = z.object({
  TABLE_NAME: z.string().check(z.minLength(3)),
  DEFASTRA_BASE_URL: z._default(z.url({ protocol: /^https?$/ }), 'https://api.defastra.com'),
  DEFASTRA_API_KEY_SECRET_ARN: arn,
  PEPPER_SECRET_ARN: arn,
  AUTH0_HOOK_SECRET_ARN: z.optional(arn),
  STRIPE_WEBHOOK_SECRET_ARN: z.optional(arn),
  SUPABASE_HOOK_SECRET_ARN: z.optional(arn),
  OKTA_HOOK_SECRET_ARN: z.optional(arn),
  KRATOS_HOOK_SECRET_ARN: z.optional(arn),
  PADDLE_WEBHOOK_SECRET_ARN: z.optional(arn),
  CLERK_WEBHOOK_SECRET_ARN: z.optional(arn),
  FIREBASE_HOOK_SECRET_ARN: z.optional(arn),
  WORKOS_ACTIONS_SECRET_ARN: z.optional(arn),
  STRIPE_API_KEY_SECRET_ARN: z.optional(arn),
  RESCREEN_KEY_SECRET_ARN: z.optional(arn),
  STRIPE_API_BASE_URL: z.optional(z.url({ protocol: /^https?$/ })),
  SECRETS_MAX_AGE_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(86_400)), 300),
});

export interface LambdaConfig {
  tableName: string;
  policy: Policy;
  defastraBaseUrl: string;
  secretArns: {
    defastraApiKey: string;
    pepper: string;
    auth0HookSecret: string | undefined;
    stripeWebhookSecret: string | undefined;
    supabaseHookSecret: string | undefined;
    stripeApiKey: string | undefined;
    /** The key sealing provisional verdicts' identifiers (docs/rescreen.md); without it nothing is re-screened. */
    rescreenKey: string | undefined;
  };
  /** The ARN of each provider hook's secret, for the function that serves the hook (undefined elsewhere). */
  hookSecretArns: Record<ProviderHook, string | undefined>;
  stripeApiBaseUrl: string | undefined;
  secretsMaxAgeMs: number;
}

/** Parses the function's environment; throws ConfigError (or PolicyError) naming what is wrong. */
export const loadLambdaConfig = (env: NodeJS.ProcessEnv): LambdaConfig => {
  const e = parseEnv(lambdaEnv, env);
  return {
    tableName: e.TABLE_NAME,
    policy: loadBundledPolicy(env),
    defastraBaseUrl: e.DEFASTRA_BASE_URL,
    secretArns: {
      defastraApiKey: e.DEFASTRA_API_KEY_SECRET_ARN,
      pepper: e.PEPPER_SECRET_ARN,
      auth0HookSecret: e.AUTH0_HOOK_SECRET_ARN,
      stripeWebhookSecret: e.STRIPE_WEBHOOK_SECRET_ARN,
      supabaseHookSecret: e.SUPABASE_HOOK_SECRET_ARN,
      stripeApiKey: e.STRIPE_API_KEY_SECRET_ARN,
      rescreenKey: e.RESCREEN_KEY_SECRET_ARN,
    },
    hookSecretArns: perHook(
      (hook) => e[HOOK_SECRET_SETTINGS[hook].arnEnv as keyof typeof e] as string | undefined,
    ),
    stripeApiBaseUrl: e.STRIPE_API_BASE_URL,
    secretsMaxAgeMs: e.SECRETS_MAX_AGE_SECONDS * 1000,
  };
};
