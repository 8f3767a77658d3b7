/** Local server configuration (docs/local.md): environment → validated config object, errors naming the variable. */
import { resolve } from 'node:path';
import * as z from '../validation/zod.js';
import { ConfigError, parseEnv } from './errors.js';
import { HOOK_SECRET_SETTINGS, type ProviderHook, perHook } from './hook-secrets.js';

export { ConfigError };

const optionalString = z.pipe(
  z.optional(
    z.pipe(
      z.string(),
      z.transform((v: string) => v.trim()),
    ),
  ),
  z.transform((v: string | undefined) => (v ? v : undefined)),
);
const url = z.optional(z.url({ protocol: /^https?$/ }));

/** The live Defastra API: the client's URL unless DEFASTRA_BASE_URL says otherwise. */
export const DEFAULT_DEFASTRA_BASE_URL = 'https://api.defastra.com';

/** Whether `url` is the live Defastra API (a trailing slash or default port makes no difference). */
export const isLiveDefastraUrl = (url: string): boolean =>
  URL.canParse(url) && new URL(url).href === new URL(DEFAULT_DEFASTRA_BASE_URL).href;

const localEnv = z.object({
  HOST: z._default(z.string().check(z.minLength(1)), '127.0.0.1'),
  PORT: optionalString,
  DATA_DIR: z._default(z.string().check(z.minLength(1)), '.data'),
  DYNAMODB_ENDPOINT: url,
  TABLE_NAME: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9_.-]{3,255}$/, 'expected 3-255 letters, digits, "_", "-" or "."')),
  ),
  DEFASTRA_API_KEY: optionalString,
  DEFASTRA_BASE_URL: z._default(z.url({ protocol: /^https?$/ }), DEFAULT_DEFASTRA_BASE_URL),
  AUTH0_HOOK_SECRET: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  SUPABASE_HOOK_SECRET: optionalString,
  OKTA_HOOK_SECRET: optionalString,
  KRATOS_HOOK_SECRET: optionalString,
  PADDLE_WEBHOOK_SECRET: optionalString,
  CLERK_WEBHOOK_SECRET: optionalString,
  FIREBASE_HOOK_SECRET: optionalString,
  WORKOS_ACTIONS_SECRET: optionalString,
  STRIPE_API_KEY: optionalString,
  STRIPE_API_BASE_URL: url,
  // Provider APIs for enforcement (docs/enforcement.md).
  AUTH0_DOMAIN: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^(?:https?:\/\/[^\s/?#]+\/?|[A-Za-z0-9.-]+)$/,
          'expected a domain (tenant.eu.auth0.com) or an http(s) base URL',
        ),
      ),
  ),
  AUTH0_CLIENT_ID: optionalString,
  AUTH0_CLIENT_SECRET: optionalString,
  SUPABASE_URL: url,
  SUPABASE_SERVICE_ROLE_KEY: optionalString,
  COGNITO_ENDPOINT: url,
  CLERK_SECRET_KEY: optionalString,
  CLERK_API_BASE_URL: url,
  API_TOKEN: optionalString,
  RESCREEN_INTERVAL_MS: optionalString,
  POLICY_FILE: z.optional(z.string().check(z.minLength(1))),
});

export interface LocalConfig {
  host: string;
  port: number;
  dataDir: string;
  dynamodbEndpoint: string | undefined;
  tableName: string;
  /** Live Defastra when set; the built-in sandbox otherwise. */
  defastraApiKey: string | undefined;
  defastraBaseUrl: string;
  auth0HookSecret: string | undefined;
  stripeWebhookSecret: string | undefined;
  supabaseHookSecret: string | undefined;
  /** The provider hooks' secret settings (`OKTA_HOOK_SECRET`, ...); undefined = the generated value. */
  hookSecrets: Record<ProviderHook, string | undefined>;
  stripeApiKey: string | undefined;
  stripeApiBaseUrl: string | undefined;
  apiToken: string | undefined;
  /** How often the server tries the due re-screens (docs/rescreen.md), in ms; 0 = never. */
  rescreenIntervalMs: number;
  /** The provider APIs enforcement may call; a provider left unset is not enforced (docs/enforcement.md). */
  enforcement: EnforcementConfig;
  /** Absolute path; `policyFileExplicit` tells whether the user named it (a missing named file is an error). */
  policyFile: string;
  policyFileExplicit: boolean;
}

/** Where each provider's API is and its credentials, as the environment gives them. */
export interface EnforcementConfig {
  auth0: { domain: string; clientId: string; clientSecret: string } | undefined;
  supabase: { url: string; serviceRoleKey: string } | undefined;
  cognitoEndpoint: string | undefined;
  clerk: { secretKey: string; baseUrl: string | undefined } | undefined;
}

/** The variables of one provider come together: one set without the others is a mistake, named. */
const together = (env: Record<string, string | undefined>): boolean => {
  const missing = Object.entries(env).filter(([, value]) => value === undefined);
  if (missing.length === Object.keys(env).length) return false;
  const [name] = missing[0] ?? [];
  if (name !== undefined) {
    throw new ConfigError(
      `invalid environment: ${name} is not set, but ${Object.keys(env)
        .filter((key) => env[key] !== undefined)
        .join(', ')} is: set them together (docs/enforcement.md)`,
    );
  }
  return true;
};

const enforcementOf = (e: {
  AUTH0_DOMAIN?: string | undefined;
  AUTH0_CLIENT_ID?: string | undefined;
  AUTH0_CLIENT_SECRET?: string | undefined;
  SUPABASE_URL?: string | undefined;
  SUPABASE_SERVICE_ROLE_KEY?: string | undefined;
  COGNITO_ENDPOINT?: string | undefined;
  CLERK_SECRET_KEY?: string | undefined;
  CLERK_API_BASE_URL?: string | undefined;
}): EnforcementConfig => ({
  auth0: together({
    AUTH0_DOMAIN: e.AUTH0_DOMAIN,
    AUTH0_CLIENT_ID: e.AUTH0_CLIENT_ID,
    AUTH0_CLIENT_SECRET: e.AUTH0_CLIENT_SECRET,
  })
    ? { domain: e.AUTH0_DOMAIN!, clientId: e.AUTH0_CLIENT_ID!, clientSecret: e.AUTH0_CLIENT_SECRET! }
    : undefined,
  supabase: together({ SUPABASE_URL: e.SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY: e.SUPABASE_SERVICE_ROLE_KEY })
    ? { url: e.SUPABASE_URL!, serviceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY! }
    : undefined,
  cognitoEndpoint: e.COGNITO_ENDPOINT,
  clerk: e.CLERK_SECRET_KEY ? { secretKey: e.CLERK_SECRET_KEY, baseUrl: e.CLERK_API_BASE_URL } : undefined,
});

const DEFAULT_PORT = 3000;

/** What `PORT` accepts. */
const PORT_HELP = 'a whole number from 1 to 65535 (0 picks a free port)';

/** Quotes a value typed by the user for an error line, cut short when long. */
const quoted = (value: string): string =>
  JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

/** `PORT` as a number; unset or empty means 3000. Throws a ConfigError that says what PORT accepts. */
export const parsePort = (value: string | undefined): number => {
  if (value === undefined) return DEFAULT_PORT;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) {
    throw new ConfigError(`PORT=${quoted(value)} is not a port: use ${PORT_HELP}, e.g. PORT=3001 npm start`);
  }
  return port;
};

/** The default of `RESCREEN_INTERVAL_MS`: a minute. */
export const DEFAULT_RESCREEN_INTERVAL_MS = 60_000;

/** `RESCREEN_INTERVAL_MS` as a number of ms (0 turns the loop off); unset means a minute. Throws a ConfigError. */
export const parseRescreenInterval = (value: string | undefined): number => {
  if (value === undefined) return DEFAULT_RESCREEN_INTERVAL_MS;
  const ms = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
  if (!(ms >= 0 && ms <= 86_400_000)) {
    throw new ConfigError(
      `RESCREEN_INTERVAL_MS=${quoted(value)} is not an interval: use a whole number of milliseconds up to 86400000 (0 turns re-screening off), e.g. RESCREEN_INTERVAL_MS=60000`,
    );
  }
  return ms;
};

/**
 * The one line to print when the server cannot listen: for a port already taken, which one and what to set
 * instead; undefined for other errors.
 */
export const listenFailureLine = (
  error: unknown,
  config: Pick<LocalConfig, 'host' | 'port'>,
): string | undefined => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const next = config.port >= 65_535 ? 3001 : config.port + 1;
  if (code === 'EADDRINUSE') {
    return `${config.host}:${config.port} is already in use (another npm start?): stop it, or choose another port, e.g. PORT=${next} npm start`;
  }
  if (code === 'EACCES') {
    return `not allowed to listen on ${config.host}:${config.port}: choose a port above 1023, e.g. PORT=${DEFAULT_PORT} npm start`;
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return `cannot listen on HOST=${quoted(config.host)}: use an address of this machine, e.g. HOST=127.0.0.1 npm start`;
  }
  return undefined;
};

/** Reads the local server's settings from `env`, relative paths resolved against `cwd`. Throws ConfigError. */
export const loadLocalConfig = (env: NodeJS.ProcessEnv, cwd = process.cwd()): LocalConfig => {
  const e = parseEnv(localEnv, env);
  return {
    host: e.HOST,
    port: parsePort(e.PORT),
    dataDir: resolve(cwd, e.DATA_DIR),
    dynamodbEndpoint: e.DYNAMODB_ENDPOINT,
    tableName: e.TABLE_NAME ?? 'signup-gate',
    defastraApiKey: e.DEFASTRA_API_KEY,
    defastraBaseUrl: e.DEFASTRA_BASE_URL,
    auth0HookSecret: e.AUTH0_HOOK_SECRET,
    stripeWebhookSecret: e.STRIPE_WEBHOOK_SECRET,
    supabaseHookSecret: e.SUPABASE_HOOK_SECRET,
    hookSecrets: perHook((hook) => e[HOOK_SECRET_SETTINGS[hook].env as keyof typeof e] as string | undefined),
    stripeApiKey: e.STRIPE_API_KEY,
    stripeApiBaseUrl: e.STRIPE_API_BASE_URL,
    apiToken: e.API_TOKEN,
    rescreenIntervalMs: parseRescreenInterval(e.RESCREEN_INTERVAL_MS),
    enforcement: enforcementOf(e),
    policyFile: resolve(cwd, e.POLICY_FILE ?? 'policy.json'),
    policyFileExplicit: e.POLICY_FILE !== undefined,
  };
};
