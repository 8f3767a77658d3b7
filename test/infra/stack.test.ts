/**
 * The stack as synthesised, with real bundling by the local esbuild: functions, least-privilege IAM,
 * routes and their authorisation, the table, secrets, alarms, dashboard, outputs and cdk-nag.
 * The app is synthesised once for the whole file.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction } from '../../bench/bundle-size.js';
import { FUNCTION_NAMES, type FunctionName } from '../../infra/bundling.js';
import { acknowledgementsOf } from '../../infra/nag.js';
import { type SignupGateStack, TABLE_ACTIONS } from '../../infra/signup-gate-stack.js';
import { loadLambdaConfig } from '../../shared/config/lambda.js';
import {
  FATAL_DEFASTRA_ERROR_TYPES,
  METRIC,
  METRICS_NAMESPACE,
} from '../../shared/observability/metric-names.js';
import { TABLE_INDEXES } from '../../shared/store/table.js';
import {
  asArray,
  type Cfn,
  referencedIds,
  type Synthesised,
  stringsIn,
  synthesise,
  writeTempFile,
} from './support.js';

const POLICY = {
  version: 'infra-test-1',
  thresholds: { email: { block: 'extreme' } },
  block: { email_domains: ['mailinator.com'] },
};

let s: Synthesised;
let resources: Record<string, Cfn>;
const fnId = {} as Record<FunctionName, string>;
const roleId = {} as Record<FunctionName, string>;
type SecretKey = keyof SignupGateStack['secrets'];
const secretId = {} as Record<SecretKey, string>;

beforeAll(() => {
  s = synthesise({ policyFile: writeTempFile('policy.json', POLICY) });
  resources = s.template.toJSON().Resources;
  for (const name of FUNCTION_NAMES) {
    const service = s.stack.functions[name];
    fnId[name] = s.stack.getLogicalId(service.function.node.defaultChild as CfnElement);
    roleId[name] = s.stack.getLogicalId(service.role.node.defaultChild as CfnElement);
  }
  for (const [key, secret] of Object.entries(s.stack.secrets) as [SecretKey, Construct][]) {
    secretId[key] = s.stack.getLogicalId(secret.node.defaultChild as CfnElement);
  }
}, 240_000);

const fnProps = (name: FunctionName) => resources[fnId[name]].Properties;
const envOf = (name: FunctionName): Record<string, Cfn> => fnProps(name).Environment.Variables;

/** All statements of all IAM policies attached to a function's role. */
const statementsOf = (name: FunctionName): Cfn[] =>
  Object.values(resources)
    .filter(
      (r: Cfn) => r.Type === 'AWS::IAM::Policy' && referencedIds(r.Properties.Roles).includes(roleId[name]),
    )
    .flatMap((r: Cfn) => r.Properties.PolicyDocument.Statement);

describe('functions', () => {
  it.each(FUNCTION_NAMES)('%s runs Node.js 22 on arm64 from an ESM bundle', (name) => {
    const props = fnProps(name);
    expect(props.Runtime).toBe('nodejs22.x');
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.Handler).toBe('index.handler');
    expect(props.MemorySize).toBe(512);
  });

  it('has timeouts a little above each route budget', () => {
    expect(fnProps('auth0-hook').Timeout).toBe(10);
    expect(fnProps('stripe-hook').Timeout).toBe(10);
    expect(fnProps('api').Timeout).toBe(20);
  });

  it.each(FUNCTION_NAMES)('%s logs to its own log group with the configured retention', (name) => {
    const logGroupId = fnProps(name).LoggingConfig.LogGroup.Ref;
    expect(resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroupId].Properties.RetentionInDays).toBe(30);
  });

  it.each(FUNCTION_NAMES)('%s gets the runtime and Powertools environment', (name) => {
    const env = envOf(name);
    expect(env).toMatchObject({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: name,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      LOG_LEVEL: 'INFO',
      DEFASTRA_BASE_URL: 'https://api.defastra.com',
      SECRETS_MAX_AGE_SECONDS: '300',
      TABLE_NAME: { Ref: s.stack.getLogicalId(s.stack.table.node.defaultChild as CfnElement) },
      DEFASTRA_API_KEY_SECRET_ARN: { Ref: secretId.defastraApiKey },
      PEPPER_SECRET_ARN: { Ref: secretId.pepper },
    });
  });

  it.each(FUNCTION_NAMES)('%s gets the validated policy file, minified, as POLICY_JSON', (name) => {
    expect(envOf(name).POLICY_JSON).toBe(JSON.stringify(POLICY));
  });

  it('gives each function only the secret ARNs of its own routes', () => {
    const secretVars = (name: FunctionName) =>
      Object.keys(envOf(name)).filter((k) => k.endsWith('_SECRET_ARN'));
    expect(secretVars('api').sort()).toEqual(['DEFASTRA_API_KEY_SECRET_ARN', 'PEPPER_SECRET_ARN']);
    expect(secretVars('auth0-hook').sort()).toEqual([
      'AUTH0_HOOK_SECRET_ARN',
      'DEFASTRA_API_KEY_SECRET_ARN',
      'PEPPER_SECRET_ARN',
    ]);
    expect(secretVars('stripe-hook').sort()).toEqual([
      'DEFASTRA_API_KEY_SECRET_ARN',
      'PEPPER_SECRET_ARN',
      'STRIPE_API_KEY_SECRET_ARN',
      'STRIPE_WEBHOOK_SECRET_ARN',
    ]);
  });

  it.each(FUNCTION_NAMES)(
    '%s environment satisfies the function config contract (shared/config/lambda.ts)',
    (name) => {
      // Resolve the CloudFormation references the way a deployment would.
      const env = Object.fromEntries(
        Object.entries(envOf(name)).map(([key, value]) => [
          key,
          typeof value === 'string'
            ? value
            : key === 'TABLE_NAME'
              ? 'SignupGate-Table-ABC123'
              : `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${value.Ref}-AbCdEf`,
        ]),
      );
      const config = loadLambdaConfig(env);
      expect(config.policy.base.version).toBe('infra-test-1');
      expect(config.secretArns.auth0HookSecret !== undefined).toBe(name === 'auth0-hook');
      expect(config.secretArns.stripeWebhookSecret !== undefined).toBe(name === 'stripe-hook');
    },
  );
});

describe('IAM: least privilege', () => {
  it.each(FUNCTION_NAMES)('%s role uses no managed policy', (name) => {
    expect(resources[roleId[name]].Properties.ManagedPolicyArns).toBeUndefined();
    expect(resources[roleId[name]].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
  });

  it.each(FUNCTION_NAMES)('%s role statements all name exact resources (no wildcard)', (name) => {
    const statements = statementsOf(name);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Resource).toBeDefined();
      for (const text of stringsIn(statement.Resource)) expect(text).not.toContain('*');
      for (const action of asArray(statement.Action) as string[]) expect(action).not.toContain('*');
    }
  });

  it.each(FUNCTION_NAMES)('%s role has exactly the table, log and secret permissions it needs', (name) => {
    const tableId = s.stack.getLogicalId(s.stack.table.node.defaultChild as CfnElement);
    const bySid = (sid: string) => statementsOf(name).find((st) => st.Sid === sid);

    const table = bySid('VerdictTable');
    expect([...table.Action].sort()).toEqual([...TABLE_ACTIONS].sort());
    expect(table.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });

    const indexes = bySid('VerdictTableIndexes');
    expect(indexes.Action).toBe('dynamodb:Query');
    expect(indexes.Resource).toHaveLength(Object.keys(TABLE_INDEXES).length);
    for (const index of Object.values(TABLE_INDEXES)) {
      expect(indexes.Resource).toContainEqual({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, `/index/${index.name}`]],
      });
    }

    const logs = bySid('WriteOwnLogs');
    expect(logs.Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(logs.Resource).toEqual({ 'Fn::GetAtt': [fnProps(name).LoggingConfig.LogGroup.Ref, 'Arn'] });

    const actions = statementsOf(name).flatMap((st) => asArray(st.Action) as string[]);
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.filter((a) => !a.startsWith('dynamodb:') && !a.startsWith('logs:')).sort()).toEqual(
      expect.arrayContaining(['secretsmanager:GetSecretValue']),
    );
    expect(
      actions.every((a) =>
        /^(dynamodb:(GetItem|PutItem|UpdateItem|DeleteItem|Query)|logs:(CreateLogStream|PutLogEvents)|secretsmanager:(GetSecretValue|DescribeSecret))$/.test(
          a,
        ),
      ),
    ).toBe(true);
  });

  const readableSecrets = (name: FunctionName): string[] =>
    statementsOf(name)
      .filter((st) => asArray(st.Action).some((a: string) => a.startsWith('secretsmanager:')))
      .flatMap((st) => referencedIds(st.Resource));

  it('lets each function read only its own secrets', () => {
    const ids = (...keys: SecretKey[]) => keys.map((k) => secretId[k]).sort();
    expect(readableSecrets('api').sort()).toEqual(ids('defastraApiKey', 'pepper'));
    expect(readableSecrets('auth0-hook').sort()).toEqual(ids('defastraApiKey', 'pepper', 'auth0HookSecret'));
    expect(readableSecrets('stripe-hook').sort()).toEqual(
      ids('defastraApiKey', 'pepper', 'stripeWebhookSecret', 'stripeApiKey'),
    );
  });

  it('keeps webhook secrets out of the api role policy entirely', () => {
    const apiPolicies = JSON.stringify(statementsOf('api'));
    for (const key of ['auth0HookSecret', 'stripeWebhookSecret', 'stripeApiKey'] as const) {
      expect(apiPolicies).not.toContain(secretId[key]);
    }
    expect(JSON.stringify(statementsOf('auth0-hook'))).not.toContain(secretId.stripeWebhookSecret);
    expect(JSON.stringify(statementsOf('stripe-hook'))).not.toContain(secretId.auth0HookSecret);
  });
});

describe('HTTP API', () => {
  const routes = () =>
    Object.values(resources).filter((r: Cfn) => r.Type === 'AWS::ApiGatewayV2::Route') as Cfn[];

  /** The function a route invokes: route → integration → function ARN. */
  const targetFunction = (route: Cfn): string => {
    const integrationId = referencedIds(route.Properties.Target)[0]!;
    return referencedIds(resources[integrationId].Properties.IntegrationUri)[0]!;
  };

  it.each([
    ['ANY /hooks/auth0', 'NONE', 'auth0-hook'],
    ['ANY /hooks/stripe', 'NONE', 'stripe-hook'],
    ['POST /screen', 'AWS_IAM', 'api'],
    ['GET /verdicts', 'AWS_IAM', 'api'],
    ['GET /verdicts/{id}', 'AWS_IAM', 'api'],
    ['ANY /screen', 'NONE', 'api'],
    ['ANY /verdicts', 'NONE', 'api'],
    ['ANY /verdicts/{id}', 'NONE', 'api'],
    ['$default', 'NONE', 'api'],
  ] as const)('%s: authorization %s, invokes %s', (routeKey, authorization, fn) => {
    const route = routes().find((r) => r.Properties.RouteKey === routeKey);
    expect(route).toBeDefined();
    expect(route.Properties.AuthorizationType).toBe(authorization);
    expect(targetFunction(route)).toBe(fnId[fn]);
  });

  it('has no other route', () => {
    expect(
      routes()
        .map((r) => r.Properties.RouteKey)
        .sort(),
    ).toEqual(
      [
        '$default',
        'ANY /hooks/auth0',
        'ANY /hooks/stripe',
        'ANY /screen',
        'ANY /verdicts',
        'ANY /verdicts/{id}',
        'GET /verdicts',
        'GET /verdicts/{id}',
        'POST /screen',
      ].sort(),
    );
  });

  it('uses Lambda proxy integrations with payload format 2.0', () => {
    s.template.resourcePropertiesCountIs(
      'AWS::ApiGatewayV2::Integration',
      { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' },
      3,
    );
  });

  it('throttles the default stage and writes JSON access logs without query strings', () => {
    const stage = s.template.findResources('AWS::ApiGatewayV2::Stage');
    const [props] = Object.values(stage).map((r: Cfn) => r.Properties);
    expect(props.StageName).toBe('$default');
    expect(props.AutoDeploy).toBe(true);
    expect(props.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    const format = JSON.parse(props.AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(props.AccessLogSettings.Format).not.toMatch(/querystring|requestOverride|\.header\./i);
    const logGroupId = referencedIds(props.AccessLogSettings.DestinationArn)[0]!;
    expect(resources[logGroupId].Properties.RetentionInDays).toBe(30);
  });
});

describe('table', () => {
  const table = () => Object.values(s.template.findResources('AWS::DynamoDB::GlobalTable'))[0] as Cfn;

  it('is on demand, keyed pk/sk, with TTL on expires_at', () => {
    const props = table().Properties;
    expect(props.BillingMode).toBe('PAY_PER_REQUEST');
    expect(props.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: 'expires_at', Enabled: true });
  });

  it('has the three GSIs of shared/store/table.ts, projecting everything', () => {
    const gsis = table().Properties.GlobalSecondaryIndexes as Cfn[];
    expect(gsis.map((g) => g.IndexName).sort()).toEqual(
      Object.values(TABLE_INDEXES)
        .map((i) => i.name)
        .sort(),
    );
    for (const index of Object.values(TABLE_INDEXES)) {
      const gsi = gsis.find((g) => g.IndexName === index.name);
      expect(gsi.KeySchema).toEqual([
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ]);
      expect(gsi.Projection).toEqual({ ProjectionType: 'ALL' });
    }
  });

  it('has point-in-time recovery and deletion protection, and is retained', () => {
    const replica = table().Properties.Replicas[0];
    expect(replica.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(replica.DeletionProtectionEnabled).toBe(true);
    expect(table().DeletionPolicy).toBe('Retain');
    expect(table().UpdateReplacePolicy).toBe('Retain');
  });
});

describe('secrets', () => {
  it('creates the five secrets under the signup-gate/ prefix', () => {
    const names = Object.values(s.template.findResources('AWS::SecretsManager::Secret')).map(
      (r: Cfn) => r.Properties.Name,
    );
    expect(names.sort()).toEqual(
      [
        'signup-gate/auth0-hook-secret',
        'signup-gate/defastra-api-key',
        'signup-gate/hash-pepper',
        'signup-gate/stripe-api-key',
        'signup-gate/stripe-webhook-secret',
      ].sort(),
    );
  });

  it('generates the Auth0 hook secret and a 64-character pepper, without punctuation', () => {
    const props = (key: SecretKey) => resources[secretId[key]].Properties;
    expect(props('pepper').GenerateSecretString).toEqual({ PasswordLength: 64, ExcludePunctuation: true });
    expect(props('auth0HookSecret').GenerateSecretString).toMatchObject({ ExcludePunctuation: true });
    expect(resources[secretId.pepper].DeletionPolicy).toBe('Retain');
  });

  it('holds a placeholder in the secrets that come from third parties', () => {
    for (const key of ['defastraApiKey', 'stripeWebhookSecret', 'stripeApiKey'] as const) {
      expect(resources[secretId[key]].Properties.SecretString).toMatch(/^PLACEHOLDER/);
    }
  });
});

describe('alarms and dashboard', () => {
  const alarms = () =>
    Object.values(s.template.findResources('AWS::CloudWatch::Alarm')).map((r: Cfn) => r.Properties);

  it('alarms on API 5xx and on each function’s errors and throttles', () => {
    const byMetric = (metric: string) => alarms().filter((a) => a.MetricName === metric);
    expect(byMetric('5xx')).toHaveLength(1);
    expect(byMetric('5xx')[0].Namespace).toBe('AWS/ApiGateway');
    for (const metric of ['Errors', 'Throttles']) {
      const found = byMetric(metric);
      expect(found.map((a) => a.Dimensions[0].Value.Ref).sort()).toEqual(Object.values(fnId).sort());
    }
  });

  it('alarms on any fatal Defastra error through the dimension-less metric', () => {
    const fatal = alarms().find((a) => a.MetricName === METRIC.defastraFatalErrors);
    expect(fatal).toMatchObject({ Namespace: METRICS_NAMESPACE, Statistic: 'Sum', Threshold: 1 });
    expect(fatal.Dimensions).toBeUndefined();
    for (const type of FATAL_DEFASTRA_ERROR_TYPES) expect(fatal.AlarmDescription).toContain(type);
  });

  it('alarms when the wallet balance drops below the threshold', () => {
    const wallet = alarms().find((a) => a.MetricName === METRIC.walletBalance);
    expect(wallet).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Statistic: 'Minimum',
      Threshold: 10,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('has no alarm actions without alarmEmail', () => {
    s.template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of alarms()) expect(alarm.AlarmActions).toBeUndefined();
  });

  it('draws one dashboard with the custom and the AWS metrics', () => {
    s.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = stringsIn(Object.values(s.template.findResources('AWS::CloudWatch::Dashboard'))[0]).join('');
    for (const name of Object.values(METRIC)) expect(body).toMatch(new RegExp(`\\b${name}\\b`));
    for (const text of [
      '"p50"',
      '"p99"',
      '"Duration"',
      '"Errors"',
      '"4xx"',
      '"5xx"',
      '"source"',
      '"decision"',
    ]) {
      expect(body).toContain(text);
    }
  });
});

describe('outputs', () => {
  it('publishes the URLs, table and secret names', () => {
    const outputs = s.template.toJSON().Outputs;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'Auth0HookUrl',
        'StripeHookUrl',
        'TableName',
        'DefastraApiKeySecretName',
        'Auth0HookSecretName',
        'PepperSecretName',
        'StripeWebhookSecretName',
        'StripeApiKeySecretName',
      ]),
    );
    expect(stringsIn(outputs.Auth0HookUrl.Value).join('')).toMatch(/^https:\/\/.*\/hooks\/auth0$/);
    expect(stringsIn(outputs.StripeHookUrl.Value).join('')).toMatch(/\/hooks\/stripe$/);
    expect(outputs.DefastraApiKeySecretName.Value).toBe('signup-gate/defastra-api-key');
    expect(outputs.Auth0HookSecretName.Value).toBe('signup-gate/auth0-hook-secret');
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it('reports no unacknowledged error or warning', () => {
    expect(s.nagViolations).toEqual([]);
  });

  it('acknowledges findings only on specific resources, each with its own reason', () => {
    const acks = acknowledgementsOf(s.stack);
    expect(acks.map((a) => a.id).sort()).toEqual(
      [
        ...Array(5).fill('AwsSolutions-SMG4'),
        ...Array(3).fill('AwsSolutions-L1'),
        ...Array(6).fill('AwsSolutions-APIG4'), // the two hooks, three catch-all ANY routes, $default
      ].sort(),
    );
    for (const ack of acks) {
      expect(ack.path.startsWith(`${s.stack.node.path}/`)).toBe(true);
      expect(ack.reason.length).toBeGreaterThan(60);
    }
    expect(new Set(acks.map((a) => a.reason)).size).toBe(acks.length - 2 - 3); // one L1 reason for three, one catch-all reason for four
  });
});

describe('bundles', () => {
  it.each(FUNCTION_NAMES)('%s: the deployed asset is what bench/bundle-size.ts builds', async (name) => {
    const code = fnProps(name).Code;
    const assetHash = String(code.S3Key).replace(/\.zip$/, '');
    const deployed = join(s.assemblyDir, `asset.${assetHash}`, 'index.mjs');
    const local = await bundleFunction(name);
    expect(statSync(deployed).size).toBe(local.bytes);
    expect(readFileSync(deployed, 'utf8').slice(0, 200)).toContain("from 'node:module'");
    expect(statSync(`${deployed}.map`).size).toBeGreaterThan(0);
  });
});
