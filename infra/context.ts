/**
 * Typed CDK context: every knob of the stack with its default, read from `cdk.json` (where settings live,
 * see infra/settings.ts) or `-c key=value`. Values given on the command line arrive as strings, so numbers
 * and booleans are parsed here and a bad value stops synth with the key named.
 */
import type { Node } from 'constructs';

/**
 * What happens to the table (and the pepper) on stack deletion. The table is an `AWS::DynamoDB::GlobalTable`
 * (CDK's TableV2), which has no snapshot removal policy, so `retain` and `destroy` are all there is.
 */
export const REMOVAL_MODES = ['retain', 'destroy'] as const;
export type RemovalMode = (typeof REMOVAL_MODES)[number];
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface InfraConfig {
  /** CloudFormation stack name. */
  stackName: string;
  /** The policy file (docs/policy.md), relative to the project root; a missing default file means `{}`. */
  policyFile: string;
  /**
   * Prefix of the Secrets Manager secret names (`<prefix>/defastra-api-key`, ...); unset = derived from the stack
   * name (secretPrefixOf), so two stacks in one account never share a secret.
   */
  secretPrefix: string | undefined;
  /** Physical table name; unset lets CloudFormation generate one (the TableName output tells it). */
  tableName: string | undefined;
  /** DynamoDB deletion protection. */
  deletionProtection: boolean;
  /** What happens to the table (and the hashing pepper, without which its lookup keys are useless) on stack deletion. */
  removalPolicy: RemovalMode;
  /** Retention of the function and access log groups, in days. */
  logRetentionDays: number;
  /** Memory of each function, in MB. */
  memorySize: number;
  /** Function timeouts, in seconds: a little above each route's budget_ms. */
  auth0TimeoutSeconds: number;
  stripeTimeoutSeconds: number;
  apiTimeoutSeconds: number;
  /** Supabase waits 5 s for its hook; the default budget_ms.supabase is 4000. */
  supabaseTimeoutSeconds: number;
  /** Cognito gives a trigger 5 s in all; the default budget_ms.cognito is 4000. */
  cognitoTimeoutSeconds: number;
  /** Okta waits 3 s for its inline hook; budget_ms.okta is 2500 (plus the stack's 1 s margin). */
  oktaTimeoutSeconds: number;
  /** The Kratos web hook; budget_ms.kratos is 4000. */
  kratosTimeoutSeconds: number;
  /** Paddle webhooks; budget_ms.paddle is 5000. */
  paddleTimeoutSeconds: number;
  /** Clerk webhooks (Svix); budget_ms.clerk is 10000. */
  clerkTimeoutSeconds: number;
  /** The Firebase forwarder waits 6 s (Google gives it 7 s); budget_ms.firebase is 5000. */
  firebaseTimeoutSeconds: number;
  /** The WorkOS registration Action; budget_ms.workos is 4000. */
  workosTimeoutSeconds: number;
  /** Timeout of the stream consumer that puts verdict events on the bus. */
  verdictEventsTimeoutSeconds: number;
  /** Timeout of the stream consumer that blocks and unblocks accounts at the providers (docs/enforcement.md). */
  enforcerTimeoutSeconds: number;
  /** Level of the Powertools Logger (`LOG_LEVEL`). */
  logLevel: LogLevel;
  /** HTTP API stage throttling (every route without its own setting: the catch-alls): requests/s and burst. */
  throttleRateLimit: number;
  throttleBurstLimit: number;
  /** Per-route throttling of each hook route (`/hooks/<provider>`): high, so unsigned junk cannot starve signed calls (docs/deploy.md, section 9). */
  hookThrottleRateLimit: number;
  hookThrottleBurstLimit: number;
  /** Per-route throttling of each IAM-authorised operator route (`POST /screen`, `GET /verdicts`, ...). */
  operatorThrottleRateLimit: number;
  operatorThrottleBurstLimit: number;
  /** Reserved concurrency of each hook function (the three HTTP hooks and the Cognito trigger); unset = none. */
  hookReservedConcurrency: number | undefined;
  /**
   * Reserved concurrency of each provider hook function (Okta, Kratos, Paddle, Clerk, Firebase, WorkOS); unset = none.
   * Apart from the other hooks' so that providers a deployment does not use need not hold any.
   */
  providerHookReservedConcurrency: number | undefined;
  /** Defastra endpoint (`DEFASTRA_BASE_URL`). */
  defastraBaseUrl: string;
  /** Stripe API host override for the write-back (`STRIPE_API_BASE_URL`); unset = Stripe's default. */
  stripeApiBaseUrl: string | undefined;
  /** How long a function keeps a fetched secret before reading it again (`SECRETS_MAX_AGE_SECONDS`). */
  secretsMaxAgeSeconds: number;
  /** Alarm when the Defastra wallet balance (minimum over 15 minutes) falls below this. */
  walletBalanceThreshold: number;
  /** Alarm when the HTTP API answers at least this many 5xx in 5 minutes. */
  api5xxThreshold: number;
  /** Alarm when more than this share (0–1) of verdicts in 15 minutes is degraded... */
  degradedShareThreshold: number;
  /** ...and at least this many verdicts were made in those 15 minutes (a few verdicts prove nothing). */
  degradedShareMinVerdicts: number;
  /** Alarm when Defastra answers at least this many rate-limit errors (5 s and 1 min limits together) in 5 minutes. */
  rateLimitErrorsThreshold: number;
  /** Alarm when at least this many store writes (velocity counts; cache, stats and markers) fail in 5 minutes. */
  storeWriteFailuresThreshold: number;
  /** When set, alarms notify an SNS topic with this e-mail subscribed. */
  alarmEmail: string | undefined;
  /** When set, only this Cognito user pool may invoke the pre sign-up trigger; unset = any pool of the account. */
  cognitoUserPoolArn: string | undefined;
  /** Also create a small user pool with the pre sign-up trigger attached, for trying. */
  cognitoExamplePool: boolean;
}

/** Defaults; `cdk.json` repeats them (a test keeps the two equal). */
export const DEFAULT_CONFIG: InfraConfig = {
  stackName: 'SignupGate',
  policyFile: 'policy.json',
  secretPrefix: undefined,
  tableName: undefined,
  deletionProtection: true,
  removalPolicy: 'retain',
  logRetentionDays: 30,
  memorySize: 512,
  auth0TimeoutSeconds: 10,
  stripeTimeoutSeconds: 10,
  apiTimeoutSeconds: 20,
  supabaseTimeoutSeconds: 6,
  cognitoTimeoutSeconds: 5,
  oktaTimeoutSeconds: 4,
  kratosTimeoutSeconds: 6,
  paddleTimeoutSeconds: 10,
  clerkTimeoutSeconds: 15,
  firebaseTimeoutSeconds: 6,
  workosTimeoutSeconds: 6,
  verdictEventsTimeoutSeconds: 30,
  enforcerTimeoutSeconds: 60,
  logLevel: 'INFO',
  throttleRateLimit: 50,
  throttleBurstLimit: 100,
  hookThrottleRateLimit: 1000,
  hookThrottleBurstLimit: 2000,
  operatorThrottleRateLimit: 20,
  operatorThrottleBurstLimit: 40,
  hookReservedConcurrency: undefined,
  providerHookReservedConcurrency: undefined,
  defastraBaseUrl: 'https://api.defastra.com',
  stripeApiBaseUrl: undefined,
  secretsMaxAgeSeconds: 300,
  walletBalanceThreshold: 10,
  api5xxThreshold: 5,
  degradedShareThreshold: 0.2,
  degradedShareMinVerdicts: 20,
  rateLimitErrorsThreshold: 10,
  storeWriteFailuresThreshold: 1,
  alarmEmail: undefined,
  cognitoUserPoolArn: undefined,
  cognitoExamplePool: false,
};

/** `arn:aws:cognito-idp:<region>:<account>:userpool/<region>_<id>` (any AWS partition). */
export const USER_POOL_ARN = /^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+_[0-9A-Za-z]+$/;

/** Retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export class ContextError extends Error {
  override readonly name = 'ContextError';
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(`invalid CDK context "${key}": ${detail}`);
  }
}

type Reader = (key: keyof InfraConfig) => unknown;

const text =
  (pattern?: RegExp, hint?: string) =>
  (key: keyof InfraConfig, raw: unknown): string => {
    if (typeof raw !== 'string' || raw.trim() === '')
      throw new ContextError(key, 'expected a non-empty string');
    const value = raw.trim();
    if (pattern && !pattern.test(value)) throw new ContextError(key, hint ?? `does not match ${pattern}`);
    return value;
  };

const integer =
  (min: number, max: number) =>
  (key: keyof InfraConfig, raw: unknown): number => {
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ContextError(key, `expected a whole number from ${min} to ${max}`);
    }
    return value;
  };

const number =
  (min: number, max = Number.POSITIVE_INFINITY) =>
  (key: keyof InfraConfig, raw: unknown): number => {
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new ContextError(
        key,
        max === Number.POSITIVE_INFINITY
          ? `expected a number of at least ${min}`
          : `expected a number from ${min} to ${max}`,
      );
    }
    return value;
  };

const boolean = (key: keyof InfraConfig, raw: unknown): boolean => {
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new ContextError(key, 'expected true or false');
};

const oneOf =
  <T extends string>(values: readonly T[], lower = false) =>
  (key: keyof InfraConfig, raw: unknown): T => {
    const value = typeof raw === 'string' ? (lower ? raw.toLowerCase() : raw.toUpperCase()) : raw;
    if (!values.includes(value as T)) throw new ContextError(key, `expected one of ${values.join(', ')}`);
    return value as T;
  };

const url = text(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'expected an http(s) URL');

/** Reads one key: absent (or empty / "none" for optional keys) falls back to the default. */
const read = <K extends keyof InfraConfig>(
  get: Reader,
  key: K,
  parse: (key: keyof InfraConfig, raw: unknown) => NonNullable<InfraConfig[K]>,
): InfraConfig[K] => {
  const raw = get(key);
  if (raw === undefined || raw === null) return DEFAULT_CONFIG[key];
  if (DEFAULT_CONFIG[key] === undefined && (raw === '' || raw === 'none')) return undefined as InfraConfig[K];
  return parse(key, raw);
};

/** The stack configuration from a construct's context (normally the App's). */
export const readInfraConfig = (node: Node): InfraConfig =>
  readInfraConfigFrom((key) => node.tryGetContext(key));

/** The stack configuration from a plain context object (e.g. the `context` of `cdk.json`). */
export const readInfraConfigOf = (context: Record<string, unknown>): InfraConfig =>
  readInfraConfigFrom((key) => context[key]);

/**
 * `stackName` in kebab case (`SignupGate` → `signup-gate`, `SignupGate-staging` → `signup-gate-staging`): the
 * secret prefix when `secretPrefix` is unset, so each stack has its own secrets.
 */
export const secretPrefixOf = (config: Pick<InfraConfig, 'stackName' | 'secretPrefix'>): string =>
  config.secretPrefix ??
  config.stackName
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/-+/g, '-')
    .toLowerCase();

const readInfraConfigFrom = (get: Reader): InfraConfig => {
  const config: InfraConfig = {
    stackName: read(
      get,
      'stackName',
      text(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'expected a CloudFormation stack name'),
    ),
    policyFile: read(get, 'policyFile', text()),
    secretPrefix: read(
      get,
      'secretPrefix',
      text(/^[A-Za-z0-9/_+=.@-]{1,256}$/, 'expected a secret name prefix'),
    ),
    tableName: read(get, 'tableName', text(/^[A-Za-z0-9_.-]{3,255}$/, 'expected a DynamoDB table name')),
    deletionProtection: read(get, 'deletionProtection', boolean),
    removalPolicy: read(get, 'removalPolicy', (key, raw) => {
      if (typeof raw === 'string' && raw.toLowerCase() === 'snapshot') {
        throw new ContextError(
          key,
          'expected retain or destroy: the table is a DynamoDB global table (TableV2), which CloudFormation cannot snapshot on deletion; keep it with retain',
        );
      }
      return oneOf(REMOVAL_MODES, true)(key, raw);
    }),
    logRetentionDays: read(get, 'logRetentionDays', (key, raw) => {
      const days = integer(1, 3653)(key, raw);
      if (!LOG_RETENTION_DAYS.includes(days)) {
        throw new ContextError(key, `CloudWatch Logs accepts ${LOG_RETENTION_DAYS.join(', ')}`);
      }
      return days;
    }),
    memorySize: read(get, 'memorySize', integer(128, 10_240)),
    auth0TimeoutSeconds: read(get, 'auth0TimeoutSeconds', integer(1, 29)),
    stripeTimeoutSeconds: read(get, 'stripeTimeoutSeconds', integer(1, 29)),
    apiTimeoutSeconds: read(get, 'apiTimeoutSeconds', integer(1, 29)),
    supabaseTimeoutSeconds: read(get, 'supabaseTimeoutSeconds', integer(1, 29)),
    // Cognito stops waiting for a trigger after 5 s: a longer timeout would only bill for answers nobody reads.
    cognitoTimeoutSeconds: read(get, 'cognitoTimeoutSeconds', integer(1, 5)),
    oktaTimeoutSeconds: read(get, 'oktaTimeoutSeconds', integer(1, 29)),
    kratosTimeoutSeconds: read(get, 'kratosTimeoutSeconds', integer(1, 29)),
    paddleTimeoutSeconds: read(get, 'paddleTimeoutSeconds', integer(1, 29)),
    clerkTimeoutSeconds: read(get, 'clerkTimeoutSeconds', integer(1, 29)),
    firebaseTimeoutSeconds: read(get, 'firebaseTimeoutSeconds', integer(1, 29)),
    workosTimeoutSeconds: read(get, 'workosTimeoutSeconds', integer(1, 29)),
    verdictEventsTimeoutSeconds: read(get, 'verdictEventsTimeoutSeconds', integer(1, 900)),
    // Room for one provider's tries and the records not reached (shared/enforce/stream.ts keeps 20 s back).
    enforcerTimeoutSeconds: read(get, 'enforcerTimeoutSeconds', integer(30, 900)),
    logLevel: read(get, 'logLevel', oneOf(['DEBUG', 'INFO', 'WARN', 'ERROR'] as const)),
    throttleRateLimit: read(get, 'throttleRateLimit', number(1)),
    throttleBurstLimit: read(get, 'throttleBurstLimit', integer(1, 5000)),
    hookThrottleRateLimit: read(get, 'hookThrottleRateLimit', number(1)),
    hookThrottleBurstLimit: read(get, 'hookThrottleBurstLimit', integer(1, 5000)),
    operatorThrottleRateLimit: read(get, 'operatorThrottleRateLimit', number(1)),
    operatorThrottleBurstLimit: read(get, 'operatorThrottleBurstLimit', integer(1, 5000)),
    hookReservedConcurrency: read(get, 'hookReservedConcurrency', integer(1, 10_000)),
    providerHookReservedConcurrency: read(get, 'providerHookReservedConcurrency', integer(1, 10_000)),
    defastraBaseUrl: read(get, 'defastraBaseUrl', url),
    stripeApiBaseUrl: read(get, 'stripeApiBaseUrl', url),
    secretsMaxAgeSeconds: read(get, 'secretsMaxAgeSeconds', integer(0, 86_400)),
    walletBalanceThreshold: read(get, 'walletBalanceThreshold', number(0)),
    api5xxThreshold: read(get, 'api5xxThreshold', integer(1, 1_000_000)),
    degradedShareThreshold: read(get, 'degradedShareThreshold', (key, raw) => {
      const share = number(0, 1)(key, raw);
      if (share >= 1) throw new ContextError(key, 'expected a share below 1 (0.2 = 20 %)');
      return share;
    }),
    degradedShareMinVerdicts: read(get, 'degradedShareMinVerdicts', integer(1, 1_000_000)),
    rateLimitErrorsThreshold: read(get, 'rateLimitErrorsThreshold', integer(1, 1_000_000)),
    storeWriteFailuresThreshold: read(get, 'storeWriteFailuresThreshold', integer(1, 1_000_000)),
    alarmEmail: read(get, 'alarmEmail', text(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'expected an e-mail address')),
    cognitoUserPoolArn: read(
      get,
      'cognitoUserPoolArn',
      text(
        USER_POOL_ARN,
        'expected a user pool ARN (arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>)',
      ),
    ),
    cognitoExamplePool: read(get, 'cognitoExamplePool', boolean),
  };
  return config;
};
