/**
 * The signup-gate stack: an HTTP API in front of three functions (the two webhooks, open and
 * authenticated in code; the operator API, IAM-authorised), one DynamoDB table, five secrets, and
 * the alarms and dashboard. Each function gets exactly the secrets and table actions it uses.
 */
import { CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { SECRET_PLACEHOLDER } from '../shared/secrets/placeholder.js';
import { TABLE_INDEXES, TABLE_KEYS } from '../shared/store/table.js';
import { Alarms } from './alarms.js';
import type { FunctionName } from './bundling.js';
import type { InfraConfig, RemovalMode } from './context.js';
import { Dashboard } from './dashboard.js';
import { acknowledge } from './nag.js';
import { budgetMs, loadSynthPolicy } from './policy.js';
import { ServiceFunction } from './service-function.js';

export interface SignupGateStackProps extends StackProps {
  config: InfraConfig;
}

/** Lambda allows 4 KB of environment per function; the rest of ours takes well under 1 KB. */
export const MAX_POLICY_JSON_BYTES = 3000;
/** Margin between a route's budget_ms and its function timeout (store writes, reply). */
const TIMEOUT_MARGIN_MS = 1000;

/** Actions the functions use on the table (shared/store/dynamodb.ts): no Scan, no batch, no admin. */
export const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
];

const removalPolicyOf = (mode: RemovalMode): RemovalPolicy =>
  mode === 'destroy'
    ? RemovalPolicy.DESTROY
    : mode === 'snapshot'
      ? RemovalPolicy.SNAPSHOT
      : RemovalPolicy.RETAIN;

/** Secrets Manager has no snapshot: keep the secret unless the stack is meant to be thrown away. */
const secretRemovalPolicyOf = (mode: RemovalMode): RemovalPolicy =>
  mode === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

/** Value of a secret whose real value comes from outside (see docs/deploy.md). */
const PLACEHOLDER = SecretValue.unsafePlainText(SECRET_PLACEHOLDER);

export class SignupGateStack extends Stack {
  readonly table: dynamodb.TableV2;
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly functions: Record<FunctionName, ServiceFunction>;
  readonly secrets: {
    defastraApiKey: secretsmanager.Secret;
    auth0HookSecret: secretsmanager.Secret;
    pepper: secretsmanager.Secret;
    stripeWebhookSecret: secretsmanager.Secret;
    stripeApiKey: secretsmanager.Secret;
  };
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: SignupGateStackProps) {
    super(scope, id, props);
    const { config } = props;

    // ---- policy: validated now, so a bad file never reaches a deployed function ------------------
    const { policy, json: policyJson, from: policyFrom } = loadSynthPolicy(config.policyFile);
    if (Buffer.byteLength(policyJson) > MAX_POLICY_JSON_BYTES) {
      throw new Error(
        `policy file ${policyFrom} is ${Buffer.byteLength(policyJson)} bytes minified; at most ${MAX_POLICY_JSON_BYTES} fit in the Lambda environment (4 KB in all). Shorten the allow/block lists.`,
      );
    }
    const timeouts = {
      'auth0-hook': { seconds: config.auth0TimeoutSeconds, source: 'auth0', key: 'auth0TimeoutSeconds' },
      'stripe-hook': { seconds: config.stripeTimeoutSeconds, source: 'stripe', key: 'stripeTimeoutSeconds' },
      api: { seconds: config.apiTimeoutSeconds, source: 'api', key: 'apiTimeoutSeconds' },
    } as const;
    for (const { seconds, source, key } of Object.values(timeouts)) {
      const budget = budgetMs(policy, source);
      if (budget + TIMEOUT_MARGIN_MS > seconds * 1000) {
        throw new Error(
          `policy budget_ms.${source} (${budget} ms) does not fit in the function timeout ${key}=${seconds} s (needs ${TIMEOUT_MARGIN_MS} ms of margin); raise the context value or lower the budget.`,
        );
      }
    }

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
      deletionProtection: config.deletionProtection,
      removalPolicy: removalPolicyOf(config.removalPolicy),
    });

    // ---- secrets -----------------------------------------------------------------------------------
    const secretName = (name: string) => `${config.secretPrefix}/${name}`;
    const secretNames = {
      defastraApiKey: secretName('defastra-api-key'),
      auth0HookSecret: secretName('auth0-hook-secret'),
      pepper: secretName('hash-pepper'),
      stripeWebhookSecret: secretName('stripe-webhook-secret'),
      stripeApiKey: secretName('stripe-api-key'),
    };
    this.secrets = {
      defastraApiKey: new secretsmanager.Secret(this, 'DefastraApiKey', {
        secretName: secretNames.defastraApiKey,
        description: 'Defastra API key (X-API-KEY). Set it after the first deploy: see docs/deploy.md.',
        secretStringValue: PLACEHOLDER,
      }),
      auth0HookSecret: new secretsmanager.Secret(this, 'Auth0HookSecret', {
        secretName: secretNames.auth0HookSecret,
        description:
          'HMAC secret(s) of POST /hooks/auth0, comma separated during a rotation; the same value goes into the Auth0 Action secret SIGNUP_GATE_SECRET.',
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
      }),
      pepper: new secretsmanager.Secret(this, 'HashPepper', {
        secretName: secretNames.pepper,
        description:
          'Pepper of the HMAC-SHA256 identifier hashes stored in the table. Never change it: stored hashes would stop matching.',
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        removalPolicy: secretRemovalPolicyOf(config.removalPolicy),
      }),
      stripeWebhookSecret: new secretsmanager.Secret(this, 'StripeWebhookSecret', {
        secretName: secretNames.stripeWebhookSecret,
        description:
          'Stripe endpoint signing secret(s) (whsec_...), comma separated during a roll. Set it after creating the Stripe endpoint.',
        secretStringValue: PLACEHOLDER,
      }),
      stripeApiKey: new secretsmanager.Secret(this, 'StripeApiKey', {
        secretName: secretNames.stripeApiKey,
        description:
          'Optional restricted Stripe API key for the write-back (policy stripe.write_back). Leave the placeholder when unused.',
        secretStringValue: PLACEHOLDER,
      }),
    };
    acknowledge(
      this.secrets.defastraApiKey,
      'AwsSolutions-SMG4',
      'The Defastra API key is issued by Defastra, which offers no API to mint or revoke keys, so a rotation Lambda has nothing to call; it is rotated by hand with put-secret-value (docs/deploy.md).',
    );
    acknowledge(
      this.secrets.auth0HookSecret,
      'AwsSolutions-SMG4',
      'The Auth0 hook secret must also be changed in the Auth0 Action secrets, which no rotation Lambda can reach; rotation is manual with an overlap window (comma-separated old,new values are all accepted).',
    );
    acknowledge(
      this.secrets.pepper,
      'AwsSolutions-SMG4',
      'The pepper keys the identifier hashes stored in the table (lookups by email and phone); rotating it would orphan every stored hash, so it must never rotate.',
    );
    acknowledge(
      this.secrets.stripeWebhookSecret,
      'AwsSolutions-SMG4',
      'The Stripe signing secret is generated by Stripe when the endpoint secret is rolled in the Stripe dashboard; it is copied here by hand (old and new values comma separated during the roll), nothing for a rotation Lambda to do.',
    );
    acknowledge(
      this.secrets.stripeApiKey,
      'AwsSolutions-SMG4',
      'The Stripe API key is created and rolled in the Stripe dashboard, which Secrets Manager rotation cannot drive; it is replaced by hand with put-secret-value.',
    );

    // ---- functions ---------------------------------------------------------------------------------
    const commonEnvironment = {
      TABLE_NAME: this.table.tableName,
      POLICY_JSON: policyJson,
      DEFASTRA_BASE_URL: config.defastraBaseUrl,
      DEFASTRA_API_KEY_SECRET_ARN: this.secrets.defastraApiKey.secretArn,
      PEPPER_SECRET_ARN: this.secrets.pepper.secretArn,
      SECRETS_MAX_AGE_SECONDS: String(config.secretsMaxAgeSeconds),
    };
    const common = {
      memorySize: config.memorySize,
      logRetentionDays: config.logRetentionDays,
      logLevel: config.logLevel,
    };
    const fn = (name: FunctionName, description: string, environment: Record<string, string>) =>
      new ServiceFunction(
        this,
        name.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
        {
          ...common,
          name,
          description,
          timeout: Duration.seconds(timeouts[name].seconds),
          environment: { ...commonEnvironment, ...environment },
        },
      );
    this.functions = {
      'auth0-hook': fn('auth0-hook', 'signup-gate: POST /hooks/auth0 (Auth0 pre-user-registration Action)', {
        AUTH0_HOOK_SECRET_ARN: this.secrets.auth0HookSecret.secretArn,
      }),
      'stripe-hook': fn('stripe-hook', 'signup-gate: POST /hooks/stripe (Stripe webhook endpoint)', {
        STRIPE_WEBHOOK_SECRET_ARN: this.secrets.stripeWebhookSecret.secretArn,
        STRIPE_API_KEY_SECRET_ARN: this.secrets.stripeApiKey.secretArn,
        ...(config.stripeApiBaseUrl ? { STRIPE_API_BASE_URL: config.stripeApiBaseUrl } : {}),
      }),
      api: fn('api', 'signup-gate: POST /screen, GET /verdicts, GET /verdicts/{id} (IAM)', {}),
    };

    // Least privilege: the table actions on the table and its three indexes by exact ARN, and only
    // the secrets each function reads.
    const indexArns = Object.values(TABLE_INDEXES).map(
      (index) => `${this.table.tableArn}/index/${index.name}`,
    );
    const secretsOf: Record<FunctionName, secretsmanager.Secret[]> = {
      api: [this.secrets.defastraApiKey, this.secrets.pepper],
      'auth0-hook': [this.secrets.defastraApiKey, this.secrets.pepper, this.secrets.auth0HookSecret],
      'stripe-hook': [
        this.secrets.defastraApiKey,
        this.secrets.pepper,
        this.secrets.stripeWebhookSecret,
        this.secrets.stripeApiKey,
      ],
    };
    for (const [name, service] of Object.entries(this.functions) as [FunctionName, ServiceFunction][]) {
      service.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'VerdictTable',
          actions: TABLE_ACTIONS,
          resources: [this.table.tableArn],
        }),
      );
      service.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'VerdictTableIndexes',
          actions: ['dynamodb:Query'],
          resources: indexArns,
        }),
      );
      for (const secret of secretsOf[name]) secret.grantRead(service.role);
      acknowledge(
        service.function,
        'AwsSolutions-L1',
        'Pinned to Node.js 22 on purpose: the bundles target node22 and the suite runs on Node 20/22; moving to a newer runtime is a deliberate change (bundle target, tests), not a silent upgrade.',
      );
    }

    // ---- HTTP API ----------------------------------------------------------------------------------
    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: config.stackName,
      description: 'signup-gate: Auth0 and Stripe signup webhooks, verdict API',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // No query string, header or body: query parameters may hold an email or phone number.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            caller: '$context.identity.userArn',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            error: '$context.error.message',
          }),
        ),
      },
    });

    const integration = (name: FunctionName) =>
      new HttpLambdaIntegration(`${name}-integration`, this.functions[name].function);
    // The hooks authenticate in code, so every method reaches them and the app answers 405 itself.
    const [auth0Route] = this.api.addRoutes({
      path: '/hooks/auth0',
      methods: [apigwv2.HttpMethod.ANY],
      integration: integration('auth0-hook'),
    });
    const [stripeRoute] = this.api.addRoutes({
      path: '/hooks/stripe',
      methods: [apigwv2.HttpMethod.ANY],
      integration: integration('stripe-hook'),
    });
    // Operator routes: the real method is IAM-authorised. An unauthenticated `ANY` route on the same path
    // (API Gateway prefers the exact method) and `$default` reach the app only for its 405 and 404 answers:
    // contract order puts 404/405 before authentication. The app also refuses any operator request that
    // lacks the gateway's IAM authoriser context, so these routes can never run a screening.
    const apiIntegration = integration('api');
    const iamAuthorizer = new HttpIamAuthorizer();
    const openRoutes: apigwv2.HttpRoute[] = [];
    for (const [path, method] of [
      ['/screen', apigwv2.HttpMethod.POST],
      ['/verdicts', apigwv2.HttpMethod.GET],
      ['/verdicts/{id}', apigwv2.HttpMethod.GET],
    ] as const) {
      this.api.addRoutes({ path, methods: [method], integration: apiIntegration, authorizer: iamAuthorizer });
      openRoutes.push(
        ...this.api.addRoutes({ path, methods: [apigwv2.HttpMethod.ANY], integration: apiIntegration }),
      );
    }
    openRoutes.push(
      new apigwv2.HttpRoute(this, 'DefaultRoute', {
        httpApi: this.api,
        routeKey: apigwv2.HttpRouteKey.DEFAULT,
        integration: apiIntegration,
      }),
    );
    for (const route of openRoutes) {
      acknowledge(
        route,
        'AwsSolutions-APIG4',
        'Catch-all for wrong methods and unknown paths so callers get the contract 405 (with Allow) and 404 bodies; the exact-method routes carry IAM auth and win API Gateway route selection, and the api function refuses operator requests without the IAM authoriser context.',
      );
    }
    acknowledge(
      auth0Route!,
      'AwsSolutions-APIG4',
      'Auth0 Actions cannot sign requests with SigV4 or fetch a JWT cheaply inside the 20 s flow; the function authenticates every request itself with the HMAC header X-Signup-Gate-Signature (timestamped, constant-time compare) before any work.',
    );
    acknowledge(
      stripeRoute!,
      'AwsSolutions-APIG4',
      'Stripe webhooks carry no API Gateway credentials; the function verifies the Stripe-Signature header over the raw body with the official stripe library (300 s tolerance) and answers 400 before any work when it fails.',
    );

    // ---- alarms, dashboard, outputs ----------------------------------------------------------------
    const lambdas = Object.fromEntries(Object.entries(this.functions).map(([name, s]) => [name, s.function]));
    this.alarms = new Alarms(this, 'Alarms', {
      api: this.api,
      functions: lambdas,
      walletBalanceThreshold: config.walletBalanceThreshold,
      api5xxThreshold: config.api5xxThreshold,
      alarmEmail: config.alarmEmail,
    });
    new Dashboard(this, 'Dashboard', {
      dashboardName: config.stackName,
      api: this.api,
      functions: lambdas,
      alarms: this.alarms.alarms,
    });

    const baseUrl = this.stage.url; // ends with "/"
    new CfnOutput(this, 'ApiUrl', {
      value: baseUrl,
      description: 'Base URL; /screen and /verdicts need SigV4 (IAM)',
    });
    new CfnOutput(this, 'Auth0HookUrl', {
      value: `${baseUrl}hooks/auth0`,
      description: 'Auth0 Action secret SIGNUP_GATE_URL',
    });
    new CfnOutput(this, 'StripeHookUrl', {
      value: `${baseUrl}hooks/stripe`,
      description: 'Stripe webhook endpoint URL',
    });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    // The names as given (Secret.secretName would re-derive them from the ARN with Fn::Split).
    const secretOutputs = {
      DefastraApiKeySecretName: secretNames.defastraApiKey,
      Auth0HookSecretName: secretNames.auth0HookSecret,
      PepperSecretName: secretNames.pepper,
      StripeWebhookSecretName: secretNames.stripeWebhookSecret,
      StripeApiKeySecretName: secretNames.stripeApiKey,
    };
    for (const [outputId, value] of Object.entries(secretOutputs)) new CfnOutput(this, outputId, { value });
    new CfnOutput(this, 'DashboardName', { value: config.stackName });
    if (this.alarms.topic) new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
  }
}
