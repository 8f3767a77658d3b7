/**
 * The stack as synthesised, with real bundling by the local esbuild: functions, the policy file in each bundle (and
 * nowhere else), least-privilege IAM, routes with their authorisation and throttles, the table and its stream, the
 * verdict events, secrets, the Cognito trigger, alarms, dashboard, outputs and cdk-nag.
 * The app is synthesised once for the whole file.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction } from '../../bench/bundle-size.js';
import { FUNCTION_NAMES, type FunctionName, PROJECT_ROOT } from '../../infra/bundling.js';
import { acknowledgementsOf } from '../../infra/nag.js';
import { REF_LOOKUP_SID } from '../../infra/outcomes.js';
import { POLICY_READ_SID, POLICY_WRITE_ACTIONS, POLICY_WRITE_DENY_SID } from '../../infra/policy-items.js';
import type { SecretKey } from '../../infra/secrets.js';
import {
  HOOK_FUNCTIONS,
  QUERY_ACTION,
  SECRETS_OF,
  TABLE_ITEM_ACTIONS,
} from '../../infra/signup-gate-stack.js';
import { VERDICT_STREAM_FILTER } from '../../infra/verdict-events.js';
import { loadEnforcerConfig } from '../../shared/config/enforcer.js';
import { loadEventsConfig } from '../../shared/config/events.js';
import { PROVIDER_HOOKS } from '../../shared/config/hook-secrets.js';
import { loadLambdaConfig } from '../../shared/config/lambda.js';
import {
  FATAL_DEFASTRA_ERROR_TYPES,
  METRIC,
  METRICS_NAMESPACE,
  RATE_LIMIT_ERROR_TYPES,
} from '../../shared/observability/metric-names.js';
import {
  cacheKey,
  listEntryKey,
  markerKey,
  POLICY_PARTITION,
  statsKey,
  velocityKey,
  verdictKey,
} from '../../shared/store/dynamo/keys.js';
import { TABLE_INDEXES } from '../../shared/store/dynamo/layout.js';
import {
  asArray,
  type Cfn,
  matchesFilter,
  referencedIds,
  type Synthesised,
  stringsIn,
  synthesise,
  writeTempFile,
} from './support.js';

/** Personal data in the policy's lists (docs/policy.md): none of it may reach the template or an environment. */
const LISTED = {
  blockedEmail: 'blocked.person@example.org',
  allowedEmail: 'vip.customer@example.net',
  blockedPhone: '+33612345678',
  blockedDomain: 'disposable-mail.example',
  allowedDomain: 'trusted-partner.example',
};
const POLICY = {
  version: 'infra-test-1',
  thresholds: { email: { block: 'extreme' } },
  allow: { emails: [LISTED.allowedEmail], email_domains: [LISTED.allowedDomain] },
  block: {
    emails: [LISTED.blockedEmail],
    email_domains: [LISTED.blockedDomain],
    phones: [LISTED.blockedPhone],
  },
};
/** The phone as digits too: a template could hold it normalised. */
const LISTED_STRINGS = [...Object.values(LISTED), LISTED.blockedPhone.slice(1)];

const SCREENING_FUNCTIONS = FUNCTION_NAMES.filter((name) => name !== 'verdict-events' && name !== 'enforcer');

let s: Synthesised;
let resources: Record<string, Cfn>;
let tableId: string;
const fnId = {} as Record<FunctionName, string>;
const roleId = {} as Record<FunctionName, string>;
const secretId = {} as Record<SecretKey, string>;

beforeAll(() => {
  s = synthesise({ policyFile: writeTempFile('policy.json', POLICY) });
  resources = s.template.toJSON().Resources;
  tableId = s.stack.getLogicalId(s.stack.table.node.defaultChild as CfnElement);
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
const ofType = (type: string): Cfn[] => Object.values(resources).filter((r: Cfn) => r.Type === type);
/** The directory of a function's code asset in the cloud assembly. */
const assetDirOf = (name: FunctionName): string =>
  join(s.assemblyDir, `asset.${String(fnProps(name).Code.S3Key).replace(/\.zip$/, '')}`);

/** All statements of all IAM policies attached to a function's role. */
const statementsOf = (name: FunctionName): Cfn[] =>
  Object.values(resources)
    .filter(
      (r: Cfn) => r.Type === 'AWS::IAM::Policy' && referencedIds(r.Properties.Roles).includes(roleId[name]),
    )
    .flatMap((r: Cfn) => r.Properties.PolicyDocument.Statement);
const actionsOf = (name: FunctionName): string[] =>
  statementsOf(name).flatMap((st) => asArray(st.Action) as string[]);

describe('functions', () => {
  it('are the fourteen of infra/bundling.ts (one per provider hook, the enforcer, rescreen), and no other', () => {
    expect(ofType('AWS::Lambda::Function')).toHaveLength(14);
    expect(FUNCTION_NAMES).toHaveLength(14);
  });

  it.each(FUNCTION_NAMES)('%s runs Node.js 22 on arm64 from an ESM bundle', (name) => {
    const props = fnProps(name);
    expect(props.Runtime).toBe('nodejs22.x');
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.Handler).toBe('index.handler');
    expect(props.MemorySize).toBe(512);
  });

  it('has timeouts a little above each route budget (Cognito and Supabase wait 5 s)', () => {
    expect(fnProps('auth0-hook').Timeout).toBe(10);
    expect(fnProps('stripe-hook').Timeout).toBe(10);
    expect(fnProps('api').Timeout).toBe(20);
    expect(fnProps('supabase-hook').Timeout).toBe(6);
    expect(fnProps('cognito-pre-signup').Timeout).toBe(5);
    expect(fnProps('verdict-events').Timeout).toBe(30);
    expect(fnProps('rescreen').Timeout).toBe(75);
  });

  it('gives each provider hook a timeout above its budget and inside the time its provider waits', () => {
    expect(fnProps('okta-hook').Timeout).toBe(4); // Okta waits 3 s; budget 2.5 s
    expect(fnProps('kratos-hook').Timeout).toBe(6);
    expect(fnProps('paddle-hook').Timeout).toBe(10);
    expect(fnProps('clerk-hook').Timeout).toBe(15);
    expect(fnProps('firebase-hook').Timeout).toBe(6); // the forwarder waits 6 s of Google's 7
    expect(fnProps('workos-hook').Timeout).toBe(6);
  });

  it('reserves no concurrency by default', () => {
    for (const name of FUNCTION_NAMES) expect(fnProps(name).ReservedConcurrentExecutions).toBeUndefined();
  });

  it.each(FUNCTION_NAMES)('%s logs to its own log group with the configured retention', (name) => {
    const logGroupId = fnProps(name).LoggingConfig.LogGroup.Ref;
    expect(resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroupId].Properties.RetentionInDays).toBe(30);
  });

  it.each(FUNCTION_NAMES)('%s gets the runtime and Powertools environment', (name) => {
    expect(envOf(name)).toMatchObject({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: name,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      LOG_LEVEL: 'INFO',
    });
  });

  it.each(SCREENING_FUNCTIONS)('%s gets the table, Defastra and secret settings', (name) => {
    expect(envOf(name)).toMatchObject({
      DEFASTRA_BASE_URL: 'https://api.defastra.com',
      SECRETS_MAX_AGE_SECONDS: '300',
      TABLE_NAME: { Ref: tableId },
      DEFASTRA_API_KEY_SECRET_ARN: { Ref: secretId.defastraApiKey },
      PEPPER_SECRET_ARN: { Ref: secretId.pepper },
    });
  });

  it('gives verdict-events the bus name and the table name (for the counters), and none of the secrets', () => {
    const busId = s.stack.getLogicalId(s.stack.events.bus.node.defaultChild as CfnElement);
    expect(envOf('verdict-events').EVENT_BUS_NAME).toEqual({ Ref: busId });
    expect(envOf('verdict-events').TABLE_NAME).toEqual({ Ref: tableId });
    expect(Object.keys(envOf('verdict-events')).sort()).toEqual(
      [
        'EVENT_BUS_NAME',
        'TABLE_NAME',
        'LOG_LEVEL',
        'NODE_OPTIONS',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
      ].sort(),
    );
  });

  it('gives each function the secret ARNs its code reads, and no other', () => {
    const secretVars = (name: FunctionName) =>
      Object.keys(envOf(name))
        .filter((k) => k.endsWith('_SECRET_ARN'))
        .sort();
    // A review's Stripe write-back is the enforcer's (docs/enforcement.md): the api needs no Stripe key.
    expect(secretVars('api')).toEqual([
      'DEFASTRA_API_KEY_SECRET_ARN',
      'PEPPER_SECRET_ARN',
      'RESCREEN_KEY_SECRET_ARN',
    ]);
    expect(secretVars('auth0-hook')).toEqual([
      'AUTH0_HOOK_SECRET_ARN',
      'DEFASTRA_API_KEY_SECRET_ARN',
      'PEPPER_SECRET_ARN',
      'RESCREEN_KEY_SECRET_ARN',
    ]);
    expect(secretVars('stripe-hook')).toEqual([
      'DEFASTRA_API_KEY_SECRET_ARN',
      'PEPPER_SECRET_ARN',
      'RESCREEN_KEY_SECRET_ARN',
      'STRIPE_API_KEY_SECRET_ARN',
      'STRIPE_WEBHOOK_SECRET_ARN',
    ]);
    expect(secretVars('supabase-hook')).toEqual([
      'DEFASTRA_API_KEY_SECRET_ARN',
      'PEPPER_SECRET_ARN',
      'RESCREEN_KEY_SECRET_ARN',
      'SUPABASE_HOOK_SECRET_ARN',
    ]);
    expect(secretVars('cognito-pre-signup')).toEqual([
      'DEFASTRA_API_KEY_SECRET_ARN',
      'PEPPER_SECRET_ARN',
      'RESCREEN_KEY_SECRET_ARN',
    ]);
    expect(secretVars('verdict-events')).toEqual([]);
    expect(secretVars('rescreen')).toEqual([
      'DEFASTRA_API_KEY_SECRET_ARN',
      'PEPPER_SECRET_ARN',
      'RESCREEN_KEY_SECRET_ARN',
    ]);
    for (const [name, variable] of [
      ['okta-hook', 'OKTA_HOOK_SECRET_ARN'],
      ['kratos-hook', 'KRATOS_HOOK_SECRET_ARN'],
      ['paddle-hook', 'PADDLE_WEBHOOK_SECRET_ARN'],
      ['clerk-hook', 'CLERK_WEBHOOK_SECRET_ARN'],
      ['firebase-hook', 'FIREBASE_HOOK_SECRET_ARN'],
      ['workos-hook', 'WORKOS_ACTIONS_SECRET_ARN'],
    ] as const) {
      expect(secretVars(name)).toEqual(
        ['DEFASTRA_API_KEY_SECRET_ARN', 'PEPPER_SECRET_ARN', 'RESCREEN_KEY_SECRET_ARN', variable].sort(),
      );
    }
    expect(secretVars('enforcer')).toEqual([
      'AUTH0_MANAGEMENT_SECRET_ARN',
      'CLERK_SECRET_KEY_SECRET_ARN',
      'STRIPE_API_KEY_SECRET_ARN',
      'SUPABASE_ADMIN_SECRET_ARN',
    ]);
  });

  /** The environment as a deployment resolves it, running from the synthesised asset directory. */
  const deployedEnv = (name: FunctionName): NodeJS.ProcessEnv => ({
    ...Object.fromEntries(
      Object.entries(envOf(name)).map(([key, value]) => [
        key,
        typeof value === 'string'
          ? value
          : key === 'TABLE_NAME'
            ? 'SignupGate-Table-ABC123'
            : key === 'EVENT_BUS_NAME'
              ? 'SignupGate-verdicts'
              : `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${value.Ref}-AbCdEf`,
      ]),
    ),
    LAMBDA_TASK_ROOT: assetDirOf(name),
  });

  it.each(SCREENING_FUNCTIONS)(
    '%s environment and bundle satisfy the function config contract (shared/config/lambda.ts)',
    (name) => {
      const config = loadLambdaConfig(deployedEnv(name));
      expect(config.policy.base.version).toBe('infra-test-1');
      expect(config.policy.base.block.emails).toEqual([LISTED.blockedEmail]);
      expect(config.secretArns.auth0HookSecret !== undefined).toBe(name === 'auth0-hook');
      expect(config.secretArns.stripeWebhookSecret !== undefined).toBe(name === 'stripe-hook');
      expect(config.secretArns.supabaseHookSecret !== undefined).toBe(name === 'supabase-hook');
      expect(config.secretArns.stripeApiKey !== undefined).toBe(name === 'stripe-hook');
      for (const hook of PROVIDER_HOOKS) {
        expect(config.hookSecretArns[hook] !== undefined, hook).toBe(name === `${hook}-hook`);
      }
    },
  );

  it('enforcer environment and bundle satisfy its config contract (shared/config/enforcer.ts)', () => {
    const config = loadEnforcerConfig(deployedEnv('enforcer'));
    expect(config.tableName).toBe('SignupGate-Table-ABC123');
    expect(config.policy.base.version).toBe('infra-test-1');
    expect(Object.values(config.secretArns).every((arn) => arn?.startsWith('arn:aws:secretsmanager:'))).toBe(
      true,
    );
    // Neither Defastra nor the pepper: it screens nothing and lists nothing.
    expect(Object.keys(envOf('enforcer'))).not.toContain('DEFASTRA_BASE_URL');
    expect(Object.keys(envOf('enforcer'))).not.toContain('PEPPER_SECRET_ARN');
  });

  it('verdict-events environment and bundle satisfy its config contract (shared/config/events.ts)', () => {
    const config = loadEventsConfig(deployedEnv('verdict-events'));
    expect(config.busName).toBe('SignupGate-verdicts');
    expect(config.policy.base.version).toBe('infra-test-1');
  });
});

describe('the policy file (docs/policy.md)', () => {
  it.each(FUNCTION_NAMES)(
    '%s ships the validated policy, minified, as policy.json beside its bundle',
    (name) => {
      const dir = assetDirOf(name);
      expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map', 'policy.json']);
      expect(readFileSync(join(dir, 'policy.json'), 'utf8')).toBe(JSON.stringify(POLICY));
    },
  );

  it('is in no function environment, as a value or a variable', () => {
    for (const name of FUNCTION_NAMES) {
      expect(Object.keys(envOf(name))).not.toContain('POLICY_JSON');
      expect(Object.keys(envOf(name))).not.toContain('POLICY_FILE');
      const values = stringsIn(envOf(name)).join('\n');
      for (const listed of LISTED_STRINGS) expect(values).not.toContain(listed);
    }
  });

  it('leaves no list entry in the template or any other file of the assembly but the bundles', () => {
    const template = JSON.stringify(s.template.toJSON());
    for (const listed of LISTED_STRINGS) expect(template).not.toContain(listed);
    const files = readdirSync(s.assemblyDir).filter((f) => f.endsWith('.json'));
    expect(files).toEqual(expect.arrayContaining(['manifest.json', 'tree.json', 'SignupGate.template.json']));
    for (const file of files) {
      const text = readFileSync(join(s.assemblyDir, file), 'utf8');
      for (const listed of LISTED_STRINGS) expect(text, file).not.toContain(listed);
    }
  });
});

describe('IAM: least privilege', () => {
  it.each(FUNCTION_NAMES)('%s role uses no managed policy', (name) => {
    expect(resources[roleId[name]].Properties.ManagedPolicyArns).toBeUndefined();
    expect(resources[roleId[name]].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
  });

  it.each(FUNCTION_NAMES)(
    '%s role statements name exact resources (the one exception: ListStreams)',
    (name) => {
      const statements = statementsOf(name);
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        // The one refusal: screening functions may not write the runtime policy items (docs/policy-lifecycle.md).
        if (statement.Sid === POLICY_WRITE_DENY_SID) {
          expect(statement.Effect).toBe('Deny');
          continue;
        }
        expect(statement.Effect).toBe('Allow');
        expect(statement.Resource).toBeDefined();
        for (const action of asArray(statement.Action) as string[]) expect(action).not.toContain('*');
        if (statement.Resource === '*') {
          // No resource-level permission exists for it (acknowledged IAM5 on the stream consumers' roles only).
          expect(['verdict-events', 'enforcer']).toContain(name);
          expect(statement.Action).toBe('dynamodb:ListStreams');
          continue;
        }
        if (statement.Sid === 'CognitoUsers') {
          // Without cognitoUserPoolArn: the user pools of the stack's account and region (acknowledged IAM5).
          expect(name).toBe('enforcer');
          expect(stringsIn(statement.Resource).join('')).toBe(
            'arn:AWS::Partition:cognito-idp:AWS::Region:AWS::AccountId:userpool/*',
          );
          continue;
        }
        for (const text of stringsIn(statement.Resource)) expect(text).not.toContain('*');
      }
    },
  );

  it('the actions granted on the table are exactly what the store code calls', () => {
    const dir = join(PROJECT_ROOT, 'shared', 'store', 'dynamo');
    // create-table.ts runs only locally (the local server and tests create their table; the stack owns it in AWS).
    const sources = readdirSync(dir)
      .filter((f) => f !== 'create-table.ts')
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    const called = [...sources.matchAll(/new (\w+)Command\(/g)].map((m) => `dynamodb:${m[1]}`);
    expect(called.length).toBeGreaterThan(5);
    expect([...new Set(called)].sort()).toEqual([...TABLE_ITEM_ACTIONS, QUERY_ACTION].sort());
  });

  it.each(HOOK_FUNCTIONS)(
    '%s may read and write items, batch-read them, query only the policy partition (and its look-ups), and never scan',
    (name) => {
      const table = statementsOf(name).find((st) => st.Sid === 'VerdictTable');
      expect([...table.Action].sort()).toEqual([...TABLE_ITEM_ACTIONS].sort());
      expect(table.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
      const allowed = statementsOf(name)
        .filter((st) => st.Effect === 'Allow' && st.Sid !== REF_LOOKUP_SID)
        .flatMap((st) => asArray(st.Action) as string[])
        .filter((a) => a.startsWith('dynamodb:'));
      expect(allowed.sort()).toEqual([...TABLE_ITEM_ACTIONS, QUERY_ACTION].sort());
      expect(JSON.stringify(statementsOf(name))).not.toContain('/index/');
      expect(statementsOf(name).some((st) => st.Sid === REF_LOOKUP_SID)).toBe(name === 'stripe-hook');
    },
  );

  it('rescreen may query the by_due index alone, and is invoked every minute by one rule, without retries', () => {
    const due = statementsOf('rescreen').find((st) => st.Sid === 'RescreenDueIndex');
    expect(due.Action).toBe(QUERY_ACTION);
    expect(due.Resource).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, `/index/${TABLE_INDEXES.byDue.name}`]],
    });
    const table = statementsOf('rescreen').find((st) => st.Sid === 'VerdictTable');
    expect([...table.Action].sort()).toEqual([...TABLE_ITEM_ACTIONS].sort());
    const rules = ofType('AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    expect(rules[0].Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [fnId.rescreen, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      }),
    ]);
    const invokers = ofType('AWS::Lambda::Permission').filter((p) =>
      JSON.stringify(p.Properties.FunctionName).includes(fnId.rescreen),
    );
    expect(invokers.map((p) => p.Properties.Principal)).toEqual(['events.amazonaws.com']);
  });

  it('stripe-hook may query the subject_ref look-up partitions only (fraud reports, docs/outcomes.md)', () => {
    const lookups = statementsOf('stripe-hook').find((st) => st.Sid === REF_LOOKUP_SID);
    expect(lookups.Action).toBe(QUERY_ACTION);
    expect(lookups.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
    expect(lookups.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RF#subject_ref#*'] },
    });
  });

  it.each(HOOK_FUNCTIONS)('%s reads the runtime policy items and may not write them', (name) => {
    const partition = { 'dynamodb:LeadingKeys': [POLICY_PARTITION] };
    const read = statementsOf(name).find((st) => st.Sid === POLICY_READ_SID);
    expect(read).toMatchObject({
      Effect: 'Allow',
      Action: QUERY_ACTION,
      Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      Condition: { 'ForAllValues:StringEquals': partition },
    });
    const deny = statementsOf(name).find((st) => st.Sid === POLICY_WRITE_DENY_SID);
    expect(deny).toMatchObject({
      Effect: 'Deny',
      Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      Condition: { 'ForAnyValue:StringEquals': partition },
    });
    expect([...deny.Action].sort()).toEqual([...POLICY_WRITE_ACTIONS].sort());
  });

  it('api writes the runtime policy items: no refusal on its role', () => {
    expect(statementsOf('api').some((st) => st.Effect === 'Deny')).toBe(false);
  });

  it('api may also query the table and its five indexes', () => {
    const bySid = (sid: string) => statementsOf('api').find((st) => st.Sid === sid);
    const table = bySid('VerdictTable');
    expect([...table.Action].sort()).toEqual([...TABLE_ITEM_ACTIONS, QUERY_ACTION].sort());
    expect(table.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
    const indexes = bySid('VerdictTableIndexes');
    expect(indexes.Action).toBe(QUERY_ACTION);
    expect(indexes.Resource).toHaveLength(Object.keys(TABLE_INDEXES).length);
    for (const index of Object.values(TABLE_INDEXES)) {
      expect(indexes.Resource).toContainEqual({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, `/index/${index.name}`]],
      });
    }
  });

  it('verdict-events may read the stream, put events on the bus, add counters and record failed batches, nothing else', () => {
    const queueId = s.stack.getLogicalId(s.stack.events.failures.node.defaultChild as CfnElement);
    const busId = s.stack.getLogicalId(s.stack.events.bus.node.defaultChild as CfnElement);
    const byResource = (resource: Cfn) =>
      statementsOf('verdict-events')
        .filter((st) => JSON.stringify(st.Resource) === JSON.stringify(resource))
        .flatMap((st) => asArray(st.Action) as string[])
        .sort();
    expect(byResource({ 'Fn::GetAtt': [tableId, 'StreamArn'] })).toEqual(
      expect.arrayContaining(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']),
    );
    expect(byResource({ 'Fn::GetAtt': [busId, 'Arn'] })).toEqual(['events:PutEvents']);
    expect(byResource({ 'Fn::GetAtt': [queueId, 'Arn'] })).toEqual(
      expect.arrayContaining(['sqs:SendMessage']),
    );
    expect(byResource('*')).toEqual(['dynamodb:ListStreams']);
    // The statistics counters of new verdicts: exactly UpdateItem, on the table alone (no index, no read).
    expect(byResource({ 'Fn::GetAtt': [tableId, 'Arn'] })).toEqual(['dynamodb:UpdateItem']);
    const actions = actionsOf('verdict-events');
    expect(
      actions.every((a) =>
        /^(dynamodb:(DescribeStream|GetRecords|GetShardIterator|ListStreams|UpdateItem)|events:PutEvents|sqs:(SendMessage|GetQueueAttributes|GetQueueUrl)|logs:(CreateLogStream|PutLogEvents))$/.test(
          a,
        ),
      ),
    ).toBe(true);
  });

  it('enforcer may read the stream, read and update verdict items, read the runtime policy, disable and enable Cognito users, nothing else', () => {
    const queueId = s.stack.getLogicalId(s.stack.enforcement.failures.node.defaultChild as CfnElement);
    const bySid = (sid: string) => statementsOf('enforcer').find((st) => st.Sid === sid);
    expect(bySid('VerdictItems')).toMatchObject({
      Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
    });
    expect(bySid('CognitoUsers').Action).toEqual([
      'cognito-idp:AdminDisableUser',
      'cognito-idp:AdminEnableUser',
    ]);
    expect(JSON.stringify(statementsOf('enforcer'))).toContain(queueId);
    expect(JSON.stringify(statementsOf('enforcer'))).not.toContain('/index/');
    // Query only on the policy partition; the PutItem and DeleteItem are those of the explicit Deny there.
    expect(bySid(POLICY_READ_SID)).toMatchObject({
      Effect: 'Allow',
      Action: 'dynamodb:Query',
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [POLICY_PARTITION] } },
    });
    expect(bySid(POLICY_WRITE_DENY_SID).Effect).toBe('Deny');
    const allowed = statementsOf('enforcer')
      .filter((st) => st.Effect === 'Allow')
      .flatMap((st) => asArray(st.Action) as string[])
      .filter((a) => a.startsWith('dynamodb:') && !/Stream|GetRecords|GetShardIterator/.test(a));
    expect(allowed.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(
      actionsOf('enforcer').every((a) =>
        /^(dynamodb:(DescribeStream|GetRecords|GetShardIterator|ListStreams|GetItem|UpdateItem|Query|PutItem|DeleteItem)|cognito-idp:Admin(Disable|Enable)User|sqs:(SendMessage|GetQueueAttributes|GetQueueUrl)|secretsmanager:(GetSecretValue|DescribeSecret)|logs:(CreateLogStream|PutLogEvents))$/.test(
          a,
        ),
      ),
    ).toBe(true);
  });

  it.each(FUNCTION_NAMES)('%s writes only to its own log group', (name) => {
    const logs = statementsOf(name).find((st) => st.Sid === 'WriteOwnLogs');
    expect(logs.Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(logs.Resource).toEqual({ 'Fn::GetAtt': [fnProps(name).LoggingConfig.LogGroup.Ref, 'Arn'] });
  });

  it.each(SCREENING_FUNCTIONS)('%s holds only table, log and secret-read actions', (name) => {
    expect(
      actionsOf(name).every((a) =>
        /^(dynamodb:(GetItem|PutItem|UpdateItem|DeleteItem|BatchGetItem|Query)|logs:(CreateLogStream|PutLogEvents)|secretsmanager:(GetSecretValue|DescribeSecret))$/.test(
          a,
        ),
      ),
    ).toBe(true);
  });

  const readableSecrets = (name: FunctionName): string[] =>
    statementsOf(name)
      .filter((st) => asArray(st.Action).some((a: string) => a.startsWith('secretsmanager:')))
      .flatMap((st) => referencedIds(st.Resource));

  it.each(FUNCTION_NAMES)('%s may read exactly its own secrets', (name) => {
    expect(readableSecrets(name).sort()).toEqual(SECRETS_OF[name].map((k) => secretId[k]).sort());
  });

  it('keeps hook secrets out of the api role and each hook out of the others', () => {
    const apiPolicies = JSON.stringify(statementsOf('api'));
    for (const key of ['auth0HookSecret', 'stripeWebhookSecret', 'supabaseHookSecret'] as const) {
      expect(apiPolicies).not.toContain(secretId[key]);
    }
    expect(JSON.stringify(statementsOf('auth0-hook'))).not.toContain(secretId.stripeWebhookSecret);
    expect(JSON.stringify(statementsOf('stripe-hook'))).not.toContain(secretId.auth0HookSecret);
    expect(JSON.stringify(statementsOf('supabase-hook'))).not.toContain(secretId.stripeApiKey);
    expect(JSON.stringify(statementsOf('cognito-pre-signup'))).not.toContain(secretId.auth0HookSecret);
  });
});

describe('HTTP API', () => {
  const routes = () => ofType('AWS::ApiGatewayV2::Route');
  const routeNamed = (routeKey: string) => routes().find((r) => r.Properties.RouteKey === routeKey);
  const stage = () => ofType('AWS::ApiGatewayV2::Stage')[0];

  /** The function a route invokes: route → integration → function ARN. */
  const targetFunction = (route: Cfn): string => {
    const integrationId = referencedIds(route.Properties.Target)[0]!;
    return referencedIds(resources[integrationId].Properties.IntegrationUri)[0]!;
  };

  const HOOKS = [
    ['ANY /hooks/auth0', 'auth0-hook'],
    ['ANY /hooks/stripe', 'stripe-hook'],
    ['ANY /hooks/supabase', 'supabase-hook'],
    ['ANY /hooks/okta', 'okta-hook'],
    ['ANY /hooks/kratos', 'kratos-hook'],
    ['ANY /hooks/paddle', 'paddle-hook'],
    ['ANY /hooks/clerk', 'clerk-hook'],
    ['ANY /hooks/firebase', 'firebase-hook'],
    ['ANY /hooks/workos', 'workos-hook'],
  ] as const;
  const OPERATOR = [
    'POST /screen',
    'GET /verdicts',
    'GET /verdicts/{id}',
    'POST /verdicts/{id}/review',
    'POST /verdicts/{id}/rescreen',
    'GET /lists',
    'POST /lists',
    'DELETE /lists/{entry_id}',
    'GET /stats',
    'POST /replay',
    'POST /verdicts/{id}/outcome',
    'POST /outcomes',
    'GET /quality',
    'GET /policy',
    'PUT /policy',
    'GET /policy/versions',
    'GET /policy/versions/{version}',
    'POST /policy/rollback',
    'GET /policy/shadow',
    'PUT /policy/shadow',
    'DELETE /policy/shadow',
  ];
  const CATCH_ALLS = [
    'ANY /screen',
    'ANY /verdicts',
    'ANY /verdicts/{id}',
    'ANY /verdicts/{id}/review',
    'ANY /verdicts/{id}/rescreen',
    'ANY /lists',
    'ANY /lists/{entry_id}',
    'ANY /stats',
    'ANY /replay',
    'ANY /verdicts/{id}/outcome',
    'ANY /outcomes',
    'ANY /quality',
    'ANY /policy',
    'ANY /policy/versions',
    'ANY /policy/versions/{version}',
    'ANY /policy/rollback',
    'ANY /policy/shadow',
    '$default',
  ];

  it.each(HOOKS)('%s: no gateway authorization, invokes %s', (routeKey, fn) => {
    const route = routeNamed(routeKey);
    expect(route.Properties.AuthorizationType).toBe('NONE');
    expect(targetFunction(route)).toBe(fnId[fn]);
  });

  it.each(OPERATOR)('%s: AWS_IAM, invokes api', (routeKey) => {
    const route = routeNamed(routeKey);
    expect(route.Properties.AuthorizationType).toBe('AWS_IAM');
    expect(targetFunction(route)).toBe(fnId.api);
  });

  it.each(CATCH_ALLS)('%s: no authorization (405/404 only), invokes api', (routeKey) => {
    const route = routeNamed(routeKey);
    expect(route.Properties.AuthorizationType).toBe('NONE');
    expect(targetFunction(route)).toBe(fnId.api);
  });

  it('has no other route, and no route reaches verdict-events or the Cognito trigger', () => {
    expect(
      routes()
        .map((r) => r.Properties.RouteKey)
        .sort(),
    ).toEqual([...HOOKS.map(([key]) => key), ...OPERATOR, ...CATCH_ALLS].sort());
    const targets = new Set(routes().map(targetFunction));
    expect(targets.has(fnId['verdict-events'])).toBe(false);
    expect(targets.has(fnId['cognito-pre-signup'])).toBe(false);
  });

  it('uses Lambda proxy integrations with payload format 2.0, one per HTTP function', () => {
    s.template.resourcePropertiesCountIs(
      'AWS::ApiGatewayV2::Integration',
      { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' },
      10,
    );
  });

  it('throttles the stage by default and writes JSON access logs without query strings', () => {
    const props = stage().Properties;
    expect(props.StageName).toBe('$default');
    expect(props.AutoDeploy).toBe(true);
    expect(props.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    const format = JSON.parse(props.AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(props.AccessLogSettings.Format).not.toMatch(/querystring|requestOverride|\.header\./i);
    const logGroupId = referencedIds(props.AccessLogSettings.DestinationArn)[0]!;
    expect(resources[logGroupId].Properties.RetentionInDays).toBe(30);
  });

  it('throttles each hook route and each operator route separately', () => {
    const settings = stage().Properties.RouteSettings;
    expect(Object.keys(settings).sort()).toEqual([...HOOKS.map(([key]) => key), ...OPERATOR].sort());
    for (const [key] of HOOKS) {
      expect(settings[key]).toEqual({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 });
    }
    for (const key of OPERATOR) {
      expect(settings[key]).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    }
  });

  it('creates the stage after every route its RouteSettings name', () => {
    const [stageId] = Object.keys(s.template.findResources('AWS::ApiGatewayV2::Stage'));
    const dependsOn: string[] = resources[stageId!].DependsOn ?? [];
    for (const key of Object.keys(stage().Properties.RouteSettings)) {
      const [routeId] = Object.entries(resources).find(
        ([, r]: [string, Cfn]) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.RouteKey === key,
      )!;
      expect(dependsOn, key).toContain(routeId);
    }
  });
});

describe('table', () => {
  const table = () => ofType('AWS::DynamoDB::GlobalTable')[0];

  it('is on demand, keyed pk/sk, with TTL on expires_at and a NEW_AND_OLD_IMAGES stream', () => {
    const props = table().Properties;
    expect(props.BillingMode).toBe('PAY_PER_REQUEST');
    expect(props.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: 'expires_at', Enabled: true });
    expect(props.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  it('has the six GSIs of shared/store/dynamo/layout.ts, projecting everything', () => {
    const gsis = table().Properties.GlobalSecondaryIndexes as Cfn[];
    expect(gsis.map((g) => g.IndexName).sort()).toEqual(
      ['by_decision', 'by_due', 'by_email', 'by_phone', 'by_review', 'by_time'].sort(),
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

describe('verdict events', () => {
  const mapping = () => ofType('AWS::Lambda::EventSourceMapping');
  const queueId = () => s.stack.getLogicalId(s.stack.events.failures.node.defaultChild as CfnElement);

  it('has an EventBridge bus named after the stack', () => {
    const buses = ofType('AWS::Events::EventBus');
    expect(buses).toHaveLength(1);
    expect(buses[0].Properties.Name).toBe('SignupGate-verdicts');
  });

  it('feeds verdict-events from the table stream, with partial failures, splitting and bounded retries', () => {
    expect(mapping()).toHaveLength(2);
    const props = mapping().find((m) => m.Properties.FunctionName.Ref === fnId['verdict-events']).Properties;
    expect(props.FunctionName).toEqual({ Ref: fnId['verdict-events'] });
    expect(props.EventSourceArn).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
    expect(props).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 6 * 3600,
      StartingPosition: 'TRIM_HORIZON',
      ParallelizationFactor: 1,
    });
    expect(props.DestinationConfig).toEqual({
      OnFailure: { Destination: { 'Fn::GetAtt': [queueId(), 'Arn'] } },
    });
  });

  it('feeds the enforcer from the same stream, in small batches, the same way (docs/enforcement.md)', () => {
    const props = mapping().find((m) => m.Properties.FunctionName.Ref === fnId.enforcer).Properties;
    const queueId = s.stack.getLogicalId(s.stack.enforcement.failures.node.defaultChild as CfnElement);
    expect(props).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      BatchSize: 10,
      MaximumRetryAttempts: 8,
      MaximumRecordAgeInSeconds: 12 * 3600,
      StartingPosition: 'TRIM_HORIZON',
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    expect(props.FilterCriteria).toEqual(mapping()[0].Properties.FilterCriteria);
    expect(resources[queueId].Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('only wakes the function for verdicts created or reviewed', () => {
    const filters = mapping()[0].Properties.FilterCriteria.Filters as Cfn[];
    expect(filters).toHaveLength(1);
    const pattern = JSON.parse(filters[0].Pattern);
    expect(pattern).toEqual({
      eventName: ['INSERT', 'MODIFY'],
      dynamodb: { Keys: { pk: { S: [{ prefix: 'V#' }] } } },
    });
    expect(pattern).toEqual(JSON.parse(JSON.stringify(VERDICT_STREAM_FILTER)));

    // Against the keys the store really writes (shared/store/dynamo/keys.ts).
    const record = (eventName: string, keys: Cfn) => ({ eventName, dynamodb: { Keys: keys } });
    const verdict = verdictKey('01JDX3K8Y0Q5W6Z8N2M4P6R8T0');
    expect(matchesFilter(pattern, record('INSERT', verdict))).toBe(true);
    expect(matchesFilter(pattern, record('MODIFY', verdict))).toBe(true);
    expect(matchesFilter(pattern, record('REMOVE', verdict))).toBe(false);
    const others = [
      markerKey('stripe', 'evt_1'),
      cacheKey('email', 'a'.repeat(64)),
      velocityKey('ip#abc', 0),
      listEntryKey('01JDX3K8Y0Q5W6Z8N2M4P6R8T0'),
      statsKey(0, '2026-11-26T05:00:00.000Z'),
    ];
    for (const keys of others) {
      expect(matchesFilter(pattern, record('INSERT', keys)), JSON.stringify(keys)).toBe(false);
      expect(matchesFilter(pattern, record('MODIFY', keys)), JSON.stringify(keys)).toBe(false);
    }
  });

  it('records given-up batches in an encrypted, SSL-only queue', () => {
    const queue = resources[queueId()];
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    const policy = ofType('AWS::SQS::QueuePolicy').find((p) =>
      referencedIds(p.Properties.Queues).includes(queueId()),
    );
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });
});

describe('secrets', () => {
  it('creates the sixteen secrets under the signup-gate/ prefix', () => {
    const names = ofType('AWS::SecretsManager::Secret').map((r) => r.Properties.Name);
    expect(names.sort()).toEqual(
      [
        'signup-gate/auth0-management',
        'signup-gate/clerk-secret-key',
        'signup-gate/supabase-admin',
        'signup-gate/auth0-hook-secret',
        'signup-gate/defastra-api-key',
        'signup-gate/hash-pepper',
        'signup-gate/rescreen-key',
        'signup-gate/stripe-api-key',
        'signup-gate/stripe-webhook-secret',
        'signup-gate/supabase-hook-secret',
        'signup-gate/okta-hook-secret',
        'signup-gate/kratos-hook-secret',
        'signup-gate/paddle-webhook-secret',
        'signup-gate/clerk-webhook-secret',
        'signup-gate/firebase-hook-secret',
        'signup-gate/workos-actions-secret',
      ].sort(),
    );
  });

  it('generates the secrets we choose (Auth0, Okta, Kratos, Firebase hooks) and a 64-character pepper, without punctuation', () => {
    const props = (key: SecretKey) => resources[secretId[key]].Properties;
    expect(props('pepper').GenerateSecretString).toEqual({ PasswordLength: 64, ExcludePunctuation: true });
    for (const key of [
      'auth0HookSecret',
      'oktaHookSecret',
      'kratosHookSecret',
      'firebaseHookSecret',
    ] as const) {
      expect(props(key).GenerateSecretString).toMatchObject({ ExcludePunctuation: true });
    }
    expect(resources[secretId.pepper].DeletionPolicy).toBe('Retain');
    expect(props('rescreenKey').GenerateSecretString).toEqual({
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
  });

  it('holds a placeholder in the secrets that come from third parties', () => {
    for (const key of [
      'defastraApiKey',
      'stripeWebhookSecret',
      'stripeApiKey',
      'supabaseHookSecret',
      'paddleWebhookSecret',
      'clerkWebhookSecret',
      'workosActionsSecret',
      'auth0Management',
      'supabaseAdmin',
      'clerkSecretKey',
    ] as const) {
      expect(resources[secretId[key]].Properties.SecretString).toMatch(/^PLACEHOLDER/);
      expect(resources[secretId[key]].Properties.GenerateSecretString).toBeUndefined();
    }
  });
});

describe('Cognito pre sign-up trigger', () => {
  const cognitoPermissions = () =>
    ofType('AWS::Lambda::Permission').filter((p) => p.Properties.Principal === 'cognito-idp.amazonaws.com');

  it('lets Cognito of this account invoke the function, and nothing else (no pool ARN given)', () => {
    expect(cognitoPermissions()).toHaveLength(1);
    const [permission] = cognitoPermissions();
    expect(permission.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fnId['cognito-pre-signup'], 'Arn'] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
    expect(permission.Properties.SourceArn).toBeUndefined();
  });

  it('creates no user pool by default', () => {
    s.template.resourceCountIs('AWS::Cognito::UserPool', 0);
  });
});

describe('alarms and dashboard', () => {
  const alarms = () => ofType('AWS::CloudWatch::Alarm').map((r) => r.Properties);
  const byMetric = (metric: string) => alarms().filter((a) => a.MetricName === metric);
  /** The metrics an alarm on metric math reads, by id. */
  const mathMetrics = (alarm: Cfn): Record<string, Cfn> =>
    Object.fromEntries((alarm.Metrics as Cfn[]).filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat]));
  const expressionOf = (alarm: Cfn): string => (alarm.Metrics as Cfn[]).find((m) => m.Expression).Expression;
  const alarmNamed = (text: string) => {
    const found = alarms().filter((a) => String(a.AlarmDescription).includes(text));
    expect(found, text).toHaveLength(1);
    return found[0];
  };

  it('has 46 alarms', () => {
    expect(alarms()).toHaveLength(46);
  });

  it('alarms when a due re-screen waits over 30 minutes, when runs stay full, and when one gives up', () => {
    expect(alarmNamed('has waited more than 30 minutes')).toMatchObject({
      MetricName: METRIC.rescreenBacklogAge,
      Statistic: 'Maximum',
      Threshold: 1800,
    });
    expect(alarmNamed('full run')).toMatchObject({
      MetricName: METRIC.rescreenDue,
      Statistic: 'Minimum',
      Threshold: 50,
    });
    const gaveUp = alarmNamed('given up');
    expect(gaveUp).toMatchObject({
      MetricName: METRIC.rescreens,
      Statistic: 'Sum',
      Threshold: 1,
      Period: 3600,
    });
    expect(gaveUp.Dimensions).toEqual([{ Name: 'outcome', Value: 'gave_up' }]);
  });

  it('alarms on failed enforcements, given-up enforcer batches and enforcer lag (docs/enforcement.md)', () => {
    const [failures] = byMetric(METRIC.enforcementFailures);
    expect(failures).toMatchObject({ Namespace: METRICS_NAMESPACE, Statistic: 'Sum', Threshold: 1 });
    expect(failures.Dimensions).toBeUndefined();
    const queueId = s.stack.getLogicalId(s.stack.enforcement.failures.node.defaultChild as CfnElement);
    const givenUp = alarmNamed('The enforcer stream mapping gave up');
    expect(givenUp.Dimensions).toEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } },
    ]);
    const lag = byMetric('IteratorAge').find((a) => a.Dimensions[0].Value.Ref === fnId.enforcer);
    expect(lag).toMatchObject({ Statistic: 'Maximum', Threshold: 15 * 60 * 1000 });
  });

  it('alarms on API 5xx and on each function’s errors and throttles', () => {
    expect(byMetric('5xx')).toHaveLength(1);
    expect(byMetric('5xx')[0].Namespace).toBe('AWS/ApiGateway');
    for (const metric of ['Errors', 'Throttles']) {
      expect(
        byMetric(metric)
          .map((a) => a.Dimensions[0].Value.Ref)
          .sort(),
      ).toEqual(Object.values(fnId).sort());
    }
  });

  it('alarms on any fatal Defastra error through the dimension-less metric', () => {
    const [fatal] = byMetric(METRIC.defastraFatalErrors);
    expect(fatal).toMatchObject({ Namespace: METRICS_NAMESPACE, Statistic: 'Sum', Threshold: 1 });
    expect(fatal.Dimensions).toBeUndefined();
    for (const type of FATAL_DEFASTRA_ERROR_TYPES) expect(fatal.AlarmDescription).toContain(type);
  });

  it('alarms on the first INSUFFICIENT_FUNDS answer', () => {
    const [funds] = byMetric(METRIC.defastraErrors);
    expect(funds).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'error_type', Value: 'INSUFFICIENT_FUNDS' }],
    });
  });

  it('alarms on Defastra rate limits: both error types summed, missing data as 0', () => {
    const alarm = alarmNamed('rate-limit errors');
    expect(alarm).toMatchObject({ Threshold: 10, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    const metrics = mathMetrics(alarm);
    expect(
      Object.values(metrics)
        .map((m) => m.Metric.Dimensions[0].Value)
        .sort(),
    ).toEqual([...RATE_LIMIT_ERROR_TYPES].sort());
    for (const m of Object.values(metrics)) {
      expect(m).toMatchObject({
        Stat: 'Sum',
        Metric: { MetricName: METRIC.defastraErrors, Namespace: METRICS_NAMESPACE },
      });
    }
    expect(expressionOf(alarm)).toBe(
      Object.keys(metrics)
        .map((id) => `FILL(${id}, 0)`)
        .join(' + '),
    );
  });

  it('alarms on the degraded share over 15 minutes, once there are enough verdicts', () => {
    const alarm = alarmNamed('were degraded');
    expect(alarm).toMatchObject({ Threshold: 0.2, ComparisonOperator: 'GreaterThanThreshold' });
    expect(expressionOf(alarm)).toBe('IF(verdicts >= 20, share, 0)');
    const metrics = mathMetrics(alarm);
    expect(metrics.share).toMatchObject({
      Stat: 'Average',
      Period: 900,
      Metric: { MetricName: METRIC.degraded },
    });
    expect(metrics.verdicts).toMatchObject({
      Stat: 'SampleCount',
      Period: 900,
      Metric: { MetricName: METRIC.degraded },
    });
    expect(metrics.share.Metric.Dimensions).toBeUndefined();
  });

  it('alarms when the spend cap is reached and on permanent Stripe write-back failures', () => {
    expect(byMetric(METRIC.spendLimited)).toEqual([
      expect.objectContaining({ Statistic: 'Sum', Threshold: 1, Namespace: METRICS_NAMESPACE }),
    ]);
    expect(byMetric(METRIC.writeBackFailures)).toEqual([
      expect.objectContaining({
        Statistic: 'Sum',
        Threshold: 1,
        Dimensions: [{ Name: 'failure', Value: 'permanent' }],
      }),
    ]);
  });

  it('alarms on store writes that failed without failing a screening: velocity alone, the others summed', () => {
    expect(byMetric(METRIC.storeWriteFailures)).toEqual([
      expect.objectContaining({ Threshold: 1, Dimensions: [{ Name: 'what', Value: 'velocity' }] }),
    ]);
    const others = alarmNamed('best-effort store writes');
    expect(
      Object.values(mathMetrics(others))
        .map((m) => m.Metric.Dimensions[0].Value)
        .sort(),
    ).toEqual(['cache', 'marker', 'rescreen', 'stats']);
  });

  it('alarms when a verdict events batch is given up, and when events lag', () => {
    const [given] = byMetric('ApproximateNumberOfMessagesVisible');
    const queueId = s.stack.getLogicalId(s.stack.events.failures.node.defaultChild as CfnElement);
    expect(given).toMatchObject({ Namespace: 'AWS/SQS', Statistic: 'Maximum', Threshold: 1 });
    expect(given.Dimensions).toEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } },
    ]);
    const [lag] = byMetric('IteratorAge');
    expect(lag).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Maximum', Threshold: 15 * 60 * 1000 });
    expect(lag.Dimensions[0].Value).toEqual({ Ref: fnId['verdict-events'] });
  });

  it('alarms when the wallet balance drops below the threshold', () => {
    const [wallet] = byMetric(METRIC.walletBalance);
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

  it('draws one dashboard with every custom metric and the AWS metrics', () => {
    s.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = stringsIn(ofType('AWS::CloudWatch::Dashboard')[0]).join('');
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
      'Velocity hits',
      'velocity_key',
      'Spend cap',
      'write-back permanent',
      'IteratorAge',
      'ApproximateNumberOfMessagesVisible',
    ]) {
      expect(body).toContain(text);
    }
  });
});

describe('outputs', () => {
  it('publishes the URLs, table, bus, Cognito function and secret names', () => {
    const outputs = s.template.toJSON().Outputs;
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'ApiUrl',
        'Auth0HookUrl',
        'StripeHookUrl',
        'SupabaseHookUrl',
        'TableName',
        'DefastraApiKeySecretName',
        'Auth0HookSecretName',
        'PepperSecretName',
        'StripeWebhookSecretName',
        'StripeApiKeySecretName',
        'SupabaseHookSecretName',
        'RescreenKeySecretName',
        'OktaHookUrl',
        'KratosHookUrl',
        'PaddleHookUrl',
        'ClerkHookUrl',
        'FirebaseHookUrl',
        'WorkosHookUrl',
        'OktaHookSecretName',
        'KratosHookSecretName',
        'PaddleWebhookSecretName',
        'ClerkWebhookSecretName',
        'FirebaseHookSecretName',
        'WorkosActionsSecretName',
        'Auth0ManagementSecretName',
        'SupabaseAdminSecretName',
        'ClerkSecretKeySecretName',
        'EventBusName',
        'EventBusArn',
        'DashboardName',
        'CognitoPreSignUpFunctionArn',
      ].sort(),
    );
    expect(stringsIn(outputs.Auth0HookUrl.Value).join('')).toMatch(/^https:\/\/.*\/hooks\/auth0$/);
    expect(stringsIn(outputs.StripeHookUrl.Value).join('')).toMatch(/\/hooks\/stripe$/);
    expect(stringsIn(outputs.SupabaseHookUrl.Value).join('')).toMatch(/^https:\/\/.*\/hooks\/supabase$/);
    expect(outputs.DefastraApiKeySecretName.Value).toBe('signup-gate/defastra-api-key');
    expect(outputs.SupabaseHookSecretName.Value).toBe('signup-gate/supabase-hook-secret');
    for (const provider of ['okta', 'kratos', 'paddle', 'clerk', 'firebase', 'workos']) {
      const url = outputs[`${provider[0]!.toUpperCase()}${provider.slice(1)}HookUrl`].Value;
      expect(stringsIn(url).join(''), provider).toMatch(new RegExp(`^https://.*/hooks/${provider}$`));
    }
    expect(outputs.ClerkWebhookSecretName.Value).toBe('signup-gate/clerk-webhook-secret');
    const busId = s.stack.getLogicalId(s.stack.events.bus.node.defaultChild as CfnElement);
    expect(outputs.EventBusName.Value).toEqual({ Ref: busId });
    expect(outputs.EventBusArn.Value).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    expect(outputs.CognitoPreSignUpFunctionArn.Value).toEqual({
      'Fn::GetAtt': [fnId['cognito-pre-signup'], 'Arn'],
    });
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
        ...Array(16).fill('AwsSolutions-SMG4'),
        ...Array(14).fill('AwsSolutions-L1'),
        ...Array(27).fill('AwsSolutions-APIG4'), // nine hooks, seventeen catch-all ANY routes, $default
        'AwsSolutions-SQS3',
        'AwsSolutions-SQS3',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cognito-idp:<AWS::Region>:<AWS::AccountId>:userpool/*]',
      ].sort(),
    );
    for (const ack of acks) {
      expect(ack.path.startsWith(`${s.stack.node.path}/`)).toBe(true);
      expect(ack.reason.length).toBeGreaterThan(60);
    }
    // One L1 reason for fourteen functions, one catch-all reason for seventeen routes and $default; every other reason is its own.
    expect(new Set(acks.map((a) => a.reason)).size).toBe(acks.length - 13 - 17);
  });

  it('accepts the ListStreams wildcard on the stream consumers only, and the user pools on the enforcer only', () => {
    const iam5 = acknowledgementsOf(s.stack).filter((a) => a.id.startsWith('AwsSolutions-IAM5'));
    expect(iam5.map((a) => a.path).sort()).toEqual(
      [
        s.stack.functions['verdict-events'].role.node.path,
        s.stack.functions.enforcer.role.node.path,
        s.stack.functions.enforcer.role.node.path,
      ].sort(),
    );
  });

  it('states the real reason why each hook route has no gateway authoriser', () => {
    const reasonOf = (path: string) =>
      acknowledgementsOf(s.stack).find((a) => a.id === 'AwsSolutions-APIG4' && a.path.includes(path))!.reason;
    const auth0 = reasonOf('hooks--auth0');
    expect(auth0).not.toMatch(/cannot sign requests with SigV4|before any work/);
    expect(auth0).toMatch(/dependency-free/);
    for (const path of [
      'hooks--auth0',
      'hooks--stripe',
      'hooks--supabase',
      'hooks--okta',
      'hooks--kratos',
      'hooks--paddle',
      'hooks--clerk',
      'hooks--firebase',
      'hooks--workos',
    ]) {
      const reason = reasonOf(path);
      expect(reason, path).toMatch(/reads the (raw )?body first \(at most 256 KiB/);
      expect(reason, path).toMatch(/constant[- ]time/);
      expect(reason, path).toContain('before any store or Defastra work');
    }
  });
});

describe('bundles', () => {
  it.each(FUNCTION_NAMES)('%s: the deployed asset is what bench/bundle-size.ts builds', async (name) => {
    const deployed = join(assetDirOf(name), 'index.mjs');
    const local = await bundleFunction(name);
    expect(statSync(deployed).size).toBe(local.bytes);
    expect(readFileSync(deployed, 'utf8').slice(0, 200)).toContain("from 'node:module'");
    expect(statSync(`${deployed}.map`).size).toBeGreaterThan(0);
  });
});
