/**
 * The signup-gate stack: an HTTP API in front of the hook functions (open, authenticated in code) and the
 * operator API (IAM-authorised); the Cognito pre sign-up trigger; one DynamoDB table whose stream feeds the
 * verdict events to an EventBridge bus and the enforcer to the providers' APIs; a scheduled re-screen function; the
 * secrets; the alarms and the
 * dashboard. Each function gets exactly the secrets and table actions its code uses, and the policy file inside its
 * bundle, never in its environment.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Stage } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { pathOf } from '../functions/routes.js';
import { HOOK_SECRET_SETTINGS } from '../shared/config/hook-secrets.js';
import type { Source } from '../shared/core/levels.js';
import { PolicyError } from '../shared/policy/schema.js';
import { TABLE_INDEXES, TABLE_KEYS } from '../shared/store/dynamo/layout.js';
import { Alarms } from './alarms.js';
import type { FunctionName } from './bundling.js';
import { CognitoTrigger } from './cognito.js';
import { ContextError, type InfraConfig, type RemovalMode } from './context.js';
import { Dashboard } from './dashboard.js';
import { Enforcement } from './enforcer.js';
import { createHttpApi } from './http-api.js';
import { acknowledge } from './nag.js';
import { grantSubjectLookups } from './outcomes.js';
import { budgetMs, loadSynthPolicy, stagePolicyFile } from './policy.js';
import { readOnlyPolicyItems } from './policy-items.js';
import {
  PROVIDER_FUNCTIONS,
  PROVIDER_SPECS,
  type ProviderSecretKey,
  perProviderFunction,
} from './providers.js';
import { RESCREEN_TIMEOUT_SECONDS, RescreenSchedule } from './rescreen.js';
import {
  createSecrets,
  type SecretKey,
  type StackSecrets,
  secretNamesOf,
  secretOutputIdOf,
} from './secrets.js';
import { ServiceFunction } from './service-function.js';
import { VerdictEvents } from './verdict-events.js';

export interface SignupGateStackProps extends StackProps {
  config: InfraConfig;
}

/** Margin between a route's budget_ms and its function timeout (store writes, reply). */
const TIMEOUT_MARGIN_MS = 1000;

/** The functions that consume the table's stream instead of screening. */
type StreamConsumer = 'verdict-events' | 'enforcer';

/** The functions that screen, with the policy source whose budget_ms must fit in their timeout. */
const SCREENING: Record<
  Exclude<FunctionName, StreamConsumer | 'rescreen'>,
  { source: Source; timeoutKey: keyof InfraConfig & `${string}TimeoutSeconds` }
> = {
  'auth0-hook': { source: 'auth0', timeoutKey: 'auth0TimeoutSeconds' },
  'stripe-hook': { source: 'stripe', timeoutKey: 'stripeTimeoutSeconds' },
  api: { source: 'api', timeoutKey: 'apiTimeoutSeconds' },
  'supabase-hook': { source: 'supabase', timeoutKey: 'supabaseTimeoutSeconds' },
  'cognito-pre-signup': { source: 'cognito', timeoutKey: 'cognitoTimeoutSeconds' },
  ...perProviderFunction(({ source, timeoutKey }) => ({ source, timeoutKey })),
};

/** The functions a signup waits on: reserved concurrency (`hookReservedConcurrency`) applies to these. */
export const HOOK_FUNCTIONS = ['auth0-hook', 'stripe-hook', 'supabase-hook', 'cognito-pre-signup'] as const;

/**
 * Item actions on the table (shared/store/dynamo/*.ts): single-item reads and writes and the one-round-trip
 * BatchGetItem of the screening prelude. No Scan, no transactions, no admin actions.
 */
export const TABLE_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchGetItem',
];
/** Only the api function lists (verdicts, list entries, statistics, replay): Query on the table and its indexes. */
export const QUERY_ACTION = 'dynamodb:Query';

/** The secrets each function's code reads (shared/runtime/lambda.ts). */
export const SECRETS_OF: Record<FunctionName, readonly SecretKey[]> = {
  // Every screening function seals a provisional verdict's identifiers for its re-screen: the re-screen key.
  api: ['defastraApiKey', 'pepper', 'rescreenKey'],
  'auth0-hook': ['defastraApiKey', 'pepper', 'auth0HookSecret', 'rescreenKey'],
  'stripe-hook': ['defastraApiKey', 'pepper', 'stripeWebhookSecret', 'stripeApiKey', 'rescreenKey'],
  'supabase-hook': ['defastraApiKey', 'pepper', 'supabaseHookSecret', 'rescreenKey'],
  'cognito-pre-signup': ['defastraApiKey', 'pepper', 'rescreenKey'],
  'verdict-events': [],
  ...perProviderFunction(({ secret }) => ['defastraApiKey', 'pepper', secret, 'rescreenKey'] as const),
  // The provider APIs of enforcement (docs/enforcement.md); Cognito's is reached with the role instead.
  enforcer: ['stripeApiKey', 'auth0Management', 'supabaseAdmin', 'clerkSecretKey'],
  rescreen: ['defastraApiKey', 'pepper', 'rescreenKey'],
};

/** The environment variable (shared/config/lambda.ts) that carries each secret's ARN. */
const SECRET_ENV: Record<SecretKey, string> = {
  defastraApiKey: 'DEFASTRA_API_KEY_SECRET_ARN',
  pepper: 'PEPPER_SECRET_ARN',
  auth0HookSecret: 'AUTH0_HOOK_SECRET_ARN',
  stripeWebhookSecret: 'STRIPE_WEBHOOK_SECRET_ARN',
  stripeApiKey: 'STRIPE_API_KEY_SECRET_ARN',
  supabaseHookSecret: 'SUPABASE_HOOK_SECRET_ARN',
  ...(Object.fromEntries(
    PROVIDER_FUNCTIONS.map((name) => [
      PROVIDER_SPECS[name].secret,
      HOOK_SECRET_SETTINGS[PROVIDER_SPECS[name].source].arnEnv,
    ]),
  ) as Record<ProviderSecretKey, string>),
  auth0Management: 'AUTH0_MANAGEMENT_SECRET_ARN',
  supabaseAdmin: 'SUPABASE_ADMIN_SECRET_ARN',
  clerkSecretKey: 'CLERK_SECRET_KEY_SECRET_ARN',
  rescreenKey: 'RESCREEN_KEY_SECRET_ARN',
};

const DESCRIPTIONS: Record<FunctionName, string> = {
  api: 'signup-gate: operator API (IAM): /screen, /verdicts, /lists, /stats, /replay, /policy',
  'auth0-hook': 'signup-gate: POST /hooks/auth0 (Auth0 pre-user-registration and post-login Actions)',
  'stripe-hook': 'signup-gate: POST /hooks/stripe (Stripe webhook endpoint)',
  'supabase-hook': 'signup-gate: POST /hooks/supabase (Supabase before-user-created hook)',
  'cognito-pre-signup': 'signup-gate: Amazon Cognito pre sign-up trigger',
  'verdict-events': 'signup-gate: table stream to EventBridge (Verdict Created, Verdict Reviewed)',
  ...perProviderFunction(({ description }) => description),
  enforcer: 'signup-gate: table stream to the providers (block and unblock accounts, docs/enforcement.md)',
  rescreen: 'signup-gate: scheduled re-screen of provisional verdicts (every minute)',
};

const removalPolicyOf = (mode: RemovalMode): RemovalPolicy =>
  mode === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

/** loadSynthPolicy; a file that cannot be read is a ContextError of `policyFile` (an invalid one stays a PolicyError). */
const loadPolicyOf = (policyFile: string): ReturnType<typeof loadSynthPolicy> => {
  try {
    return loadSynthPolicy(policyFile);
  } catch (error) {
    if (error instanceof PolicyError) throw error;
    throw new ContextError('policyFile', (error as Error).message);
  }
};

/** `auth0-hook` → `Auth0Hook` (construct ids, kept stable). */
const pascal = (name: string): string =>
  name.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());

export class SignupGateStack extends Stack {
  readonly table: dynamodb.TableV2;
  readonly functions: Record<FunctionName, ServiceFunction>;
  readonly secrets: StackSecrets;
  readonly events: VerdictEvents;
  readonly cognito: CognitoTrigger;
  readonly alarms: Alarms;
  readonly enforcement: Enforcement;
  readonly api: ReturnType<typeof createHttpApi>['api'];
  readonly stage: ReturnType<typeof createHttpApi>['stage'];
  /** The staged policy file every bundle ships as `policy.json`. */
  readonly policyFile: string;

  constructor(scope: Construct, id: string, props: SignupGateStackProps) {
    super(scope, id, props);
    const { config } = props;

    // ---- policy: validated now, so a bad file never reaches a deployed function ------------------
    const { policy, json: policyJson } = loadPolicyOf(config.policyFile);
    for (const { source, timeoutKey } of Object.values(SCREENING)) {
      const budget = budgetMs(policy, source);
      const seconds = config[timeoutKey];
      if (budget + TIMEOUT_MARGIN_MS > seconds * 1000) {
        throw new ContextError(
          timeoutKey,
          `policy budget_ms.${source} (${budget} ms) does not fit in the function timeout ${timeoutKey}=${seconds} s (needs ${TIMEOUT_MARGIN_MS} ms of margin); raise the context value or lower the budget.`,
        );
      }
    }
    // In the cloud assembly (which holds the bundles anyway), never in the template or an environment.
    const assembly = Stage.of(this);
    if (!assembly) throw new Error('the signup-gate stack must be created inside a CDK App');
    this.policyFile = stagePolicyFile(policyJson, assembly.outdir);

    // ---- table -------------------------------------------------------------------------------------
    const string = dynamodb.AttributeType.STRING;
    this.table = new dynamodb.TableV2(this, 'Table', {
      ...(config.tableName ? { tableName: config.tableName } : {}),
      partitionKey: { name: TABLE_KEYS.partitionKey, type: string },
      sortKey: { name: TABLE_KEYS.sortKey, type: string },
      globalSecondaryIndexes: Object.values(TABLE_INDEXES).map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: string },
        sortKey: { name: index.sortKey, type: string },
        projectionType: dynamodb.ProjectionType.ALL,
      })),
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      // The verdict events' source (docs/events.md): a review is a MODIFY whose old image tells what changed.
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      deletionProtection: config.deletionProtection,
      removalPolicy: removalPolicyOf(config.removalPolicy),
    });

    // ---- secrets -----------------------------------------------------------------------------------
    this.secrets = createSecrets(this, config);

    // ---- events: the bus first, its name goes into the consumer's environment ------------------------
    this.events = new VerdictEvents(this, 'Events', { busName: `${config.stackName}-verdicts` });

    // ---- functions ---------------------------------------------------------------------------------
    const screeningEnvironment = (name: FunctionName): Record<string, string> => ({
      TABLE_NAME: this.table.tableName,
      DEFASTRA_BASE_URL: config.defastraBaseUrl,
      SECRETS_MAX_AGE_SECONDS: String(config.secretsMaxAgeSeconds),
      ...Object.fromEntries(SECRETS_OF[name].map((key) => [SECRET_ENV[key], this.secrets[key].secretArn])),
      ...(SECRETS_OF[name].includes('stripeApiKey') && config.stripeApiBaseUrl
        ? { STRIPE_API_BASE_URL: config.stripeApiBaseUrl }
        : {}),
    });
    const timeoutOf = (name: FunctionName): number =>
      name === 'verdict-events'
        ? config.verdictEventsTimeoutSeconds
        : name === 'enforcer'
          ? config.enforcerTimeoutSeconds
          : name === 'rescreen'
            ? RESCREEN_TIMEOUT_SECONDS
            : config[SCREENING[name].timeoutKey];
    const environmentOf = (name: FunctionName): Record<string, string> => {
      if (name === 'verdict-events')
        return { EVENT_BUS_NAME: this.events.bus.eventBusName, TABLE_NAME: this.table.tableName };
      if (name === 'enforcer') {
        const { DEFASTRA_BASE_URL: _defastra, ...rest } = screeningEnvironment(name);
        return rest;
      }
      return screeningEnvironment(name);
    };
    const create = (name: FunctionName): ServiceFunction =>
      new ServiceFunction(this, pascal(name), {
        name,
        description: DESCRIPTIONS[name],
        timeout: Duration.seconds(timeoutOf(name)),
        memorySize: config.memorySize,
        logRetentionDays: config.logRetentionDays,
        logLevel: config.logLevel,
        environment: environmentOf(name),
        policyFile: this.policyFile,
        reservedConcurrency: (HOOK_FUNCTIONS as readonly string[]).includes(name)
          ? config.hookReservedConcurrency
          : (PROVIDER_FUNCTIONS as readonly string[]).includes(name)
            ? config.providerHookReservedConcurrency
            : undefined,
      });
    this.functions = {
      'auth0-hook': create('auth0-hook'),
      'stripe-hook': create('stripe-hook'),
      api: create('api'),
      'supabase-hook': create('supabase-hook'),
      'cognito-pre-signup': create('cognito-pre-signup'),
      'verdict-events': create('verdict-events'),
      ...perProviderFunction((_spec, name) => create(name)),
      enforcer: create('enforcer'),
      rescreen: create('rescreen'),
    };

    // ---- least privilege: table actions by exact ARN, and only the secrets each function reads ---------
    const indexArns = Object.values(TABLE_INDEXES).map(
      (index) => `${this.table.tableArn}/index/${index.name}`,
    );
    for (const [name, service] of Object.entries(this.functions) as [FunctionName, ServiceFunction][]) {
      // The stream consumers get their own narrower statements (infra/verdict-events.ts, infra/enforcer.ts).
      if (name !== 'verdict-events' && name !== 'enforcer') {
        service.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'VerdictTable',
            actions: name === 'api' ? [...TABLE_ITEM_ACTIONS, QUERY_ACTION] : TABLE_ITEM_ACTIONS,
            resources: [this.table.tableArn],
          }),
        );
      }
      // The runtime policy versions: the api function writes them, every other screening function only reads them.
      if (name !== 'api' && name !== 'verdict-events') readOnlyPolicyItems(service.role, this.table.tableArn);
      if (name === 'api') {
        service.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'VerdictTableIndexes',
            actions: [QUERY_ACTION],
            resources: indexArns,
          }),
        );
      }
      if (name === 'rescreen') {
        // The due re-screens are read from the `by_due` index alone.
        service.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'RescreenDueIndex',
            actions: [QUERY_ACTION],
            resources: [`${this.table.tableArn}/index/${TABLE_INDEXES.byDue.name}`],
          }),
        );
      }
      for (const key of SECRETS_OF[name]) this.secrets[key].grantRead(service.role);
      acknowledge(
        service.function,
        'AwsSolutions-L1',
        'Pinned to Node.js 22 on purpose: the bundles target node22 and the suite runs on Node 20/22; moving to a newer runtime is a deliberate change (bundle target, tests), not a silent upgrade.',
      );
    }
    grantSubjectLookups(this.functions['stripe-hook'].role, this.table.tableArn);
    // The stream, through a filtered event source mapping; PutEvents on the bus, UpdateItem (counters) on the table.
    this.events.consume(this.table, this.functions['verdict-events']);
    // The re-screen function, every minute.
    new RescreenSchedule(this, 'RescreenSchedule', { fn: this.functions.rescreen.function });

    // ---- HTTP API ----------------------------------------------------------------------------------
    const { api, stage } = createHttpApi(this, {
      config,
      functions: {
        api: this.functions.api.function,
        'auth0-hook': this.functions['auth0-hook'].function,
        'stripe-hook': this.functions['stripe-hook'].function,
        'supabase-hook': this.functions['supabase-hook'].function,
        ...perProviderFunction((_spec, name) => this.functions[name].function),
      },
    });
    this.api = api;
    this.stage = stage;

    // ---- Cognito (docs/cognito.md): invoke permission, ARN output, optional example pool ---------------
    this.cognito = new CognitoTrigger(this, 'Cognito', {
      fn: this.functions['cognito-pre-signup'].function,
      cognitoUserPoolArn: config.cognitoUserPoolArn,
      cognitoExamplePool: config.cognitoExamplePool,
    });

    // ---- alarms, dashboard, outputs ----------------------------------------------------------------
    const lambdas = Object.fromEntries(Object.entries(this.functions).map(([name, s]) => [name, s.function]));
    const verdictEvents = { fn: this.functions['verdict-events'].function, failures: this.events.failures };
    this.alarms = new Alarms(this, 'Alarms', {
      api,
      functions: lambdas,
      verdictEvents,
      walletBalanceThreshold: config.walletBalanceThreshold,
      api5xxThreshold: config.api5xxThreshold,
      degradedShareThreshold: config.degradedShareThreshold,
      degradedShareMinVerdicts: config.degradedShareMinVerdicts,
      rateLimitErrorsThreshold: config.rateLimitErrorsThreshold,
      storeWriteFailuresThreshold: config.storeWriteFailuresThreshold,
      alarmEmail: config.alarmEmail,
    });
    // ---- enforcement at the providers (docs/enforcement.md): a second stream consumer, its IAM and alarms --------
    this.enforcement = new Enforcement(this, 'Enforcement', {
      table: this.table,
      consumer: this.functions.enforcer,
      cognitoUserPoolArn: config.cognitoUserPoolArn,
      alarms: this.alarms,
    });
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: config.stackName,
      api,
      functions: lambdas,
      verdictEvents,
      alarms: this.alarms.alarms,
    });
    dashboard.dashboard.addWidgets(...this.enforcement.widgets());

    const baseUrl = stage.url; // ends with "/"
    new CfnOutput(this, 'ApiUrl', {
      value: baseUrl,
      description:
        'Base URL; the operator routes (/screen, /verdicts, /lists, /stats, /replay, /policy) need SigV4 (IAM)',
    });
    new CfnOutput(this, 'Auth0HookUrl', {
      value: `${baseUrl}hooks/auth0`,
      description: 'Auth0 Action secret SIGNUP_GATE_URL',
    });
    new CfnOutput(this, 'StripeHookUrl', {
      value: `${baseUrl}hooks/stripe`,
      description: 'Stripe webhook endpoint URL',
    });
    new CfnOutput(this, 'SupabaseHookUrl', {
      value: `${baseUrl}hooks/supabase`,
      description: 'Supabase before-user-created hook URL (Authentication, Hooks)',
    });
    for (const name of PROVIDER_FUNCTIONS) {
      const { output } = PROVIDER_SPECS[name];
      new CfnOutput(this, output.id, {
        value: `${baseUrl}${pathOf(name).slice(1)}`,
        description: output.description,
      });
    }
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    const secretNames = secretNamesOf(config);
    for (const key of Object.keys(secretNames) as SecretKey[]) {
      new CfnOutput(this, secretOutputIdOf(key), { value: secretNames[key] });
    }
    new CfnOutput(this, 'EventBusName', {
      value: this.events.bus.eventBusName,
      description: 'EventBridge bus of the verdict events (source signup-gate); put your rules on it',
    });
    new CfnOutput(this, 'EventBusArn', { value: this.events.bus.eventBusArn });
    new CfnOutput(this, 'DashboardName', { value: config.stackName });
    if (this.alarms.topic) new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
  }
}
