/** The `enforcer` function's configuration (docs/enforcement.md): environment set by the stack → validated config object. */
import type { Policy } from '../policy/schema.js';
import * as z from '../validation/zod.js';
import { parseEnv } from './errors.js';
import { loadBundledPolicy } from './policy-file.js';

const arn = z.string().check(z.regex(/^arn:aws[a-z-]*:secretsmanager:/, 'expected a Secrets Manager ARN'));
const httpUrl = z.url({ protocol: /^https?$/ });

const enforcerEnv = z.object({
  TABLE_NAME: z.string().check(z.minLength(3)),
  AUTH0_MANAGEMENT_SECRET_ARN: z.optional(arn),
  SUPABASE_ADMIN_SECRET_ARN: z.optional(arn),
  CLERK_SECRET_KEY_SECRET_ARN: z.optional(arn),
  STRIPE_API_KEY_SECRET_ARN: z.optional(arn),
  STRIPE_API_BASE_URL: z.optional(httpUrl),
  CLERK_API_BASE_URL: z.optional(httpUrl),
  SECRETS_MAX_AGE_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(86_400)), 300),
});

export interface EnforcerConfig {
  tableName: string;
  policy: Policy;
  secretArns: {
    /** JSON `{ "domain", "client_id", "client_secret" }` of the Auth0 machine-to-machine application. */
    auth0Management: string | undefined;
    /** JSON `{ "url", "service_role_key" }` of the Supabase project. */
    supabaseAdmin: string | undefined;
    clerkSecretKey: string | undefined;
    stripeApiKey: string | undefined;
  };
  stripeApiBaseUrl: string | undefined;
  clerkApiBaseUrl: string | undefined;
  secretsMaxAgeMs: number;
}

/** Parses the function's environment; throws ConfigError (or PolicyError) naming what is wrong. */
export const loadEnforcerConfig = (env: NodeJS.ProcessEnv): EnforcerConfig => {
  const e = parseEnv(enforcerEnv, env);
  return {
    tableName: e.TABLE_NAME,
    policy: loadBundledPolicy(env),
    secretArns: {
      auth0Management: e.AUTH0_MANAGEMENT_SECRET_ARN,
      supabaseAdmin: e.SUPABASE_ADMIN_SECRET_ARN,
      clerkSecretKey: e.CLERK_SECRET_KEY_SECRET_ARN,
      stripeApiKey: e.STRIPE_API_KEY_SECRET_ARN,
    },
    stripeApiBaseUrl: e.STRIPE_API_BASE_URL,
    clerkApiBaseUrl: e.CLERK_API_BASE_URL,
    secretsMaxAgeMs: e.SECRETS_MAX_AGE_SECONDS * 1000,
  };
};
