/**
 * Synth-time behaviour that needs no bundle (bundling is skipped here; stack.test.ts covers it):
 * policy validation and staging, budget/timeout consistency, the alarm e-mail topic, removal settings,
 * throttles, reserved concurrency and alarm thresholds from context, the Cognito variants, and proof
 * that cdk-nag really fails an unacknowledged finding.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { ContextError } from '../../infra/context.js';
import { applyNag } from '../../infra/nag.js';
import { loadSynthPolicy } from '../../infra/policy.js';
import { HOOK_FUNCTIONS } from '../../infra/signup-gate-stack.js';
import { PolicyError } from '../../shared/policy/schema.js';
import { validDocumentedValues } from './documented.js';
import {
  buildWithFlags,
  type Cfn,
  NO_BUNDLING,
  readNagViolations,
  synthesise,
  tempDir,
  writeTempFile,
} from './support.js';

const buildWith = (context: Record<string, unknown>) => () =>
  buildWithFlags({ outdir: tempDir('cdk-out'), context: { ...NO_BUNDLING, ...context } });

const thrown = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
};

describe('policy file at synth', () => {
  it('stops synth on an unknown level, naming the field', () => {
    const policyFile = writeTempFile('policy.json', { thresholds: { email: { block: 'severe' } } });
    const error = thrown(buildWith({ policyFile }));
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).field).toBe('thresholds.email.block');
    expect(error.message).toContain('thresholds.email.block');
  });

  it('stops synth on an unknown key, naming it', () => {
    const policyFile = writeTempFile('policy.json', { sources: { stripe: { treshold: {} } } });
    const error = thrown(buildWith({ policyFile }));
    expect((error as PolicyError).field).toBe('sources.stripe.treshold');
  });

  it('stops synth on a file that is not JSON', () => {
    const policyFile = writeTempFile('policy.json', '{ "version": ');
    expect(thrown(buildWith({ policyFile }))).toBeInstanceOf(PolicyError);
  });

  it('stops synth when an explicitly named file is missing', () => {
    const policyFile = join(tempDir('missing'), 'nope.json');
    const error = thrown(buildWith({ policyFile }));
    expect(error).toBeInstanceOf(ContextError);
    expect((error as ContextError).key).toBe('policyFile');
    expect(error.message).toMatch(
      /^invalid CDK context "policyFile": cannot read policy file .*nope\.json: ENOENT$/,
    );
  });

  it('uses {} when the default policy.json does not exist', () => {
    const loaded = loadSynthPolicy('policy.json', tempDir('empty-root'));
    expect(loaded.json).toBe('{}');
    expect(loaded.policy.base.version).toBe('default-1');
  });

  it('minifies the file and drops a byte-order mark', () => {
    const dir = tempDir('bom');
    writeFileSync(join(dir, 'p.json'), '\ufeff{\n  "version": "bom-1"\n}\n');
    expect(loadSynthPolicy(join(dir, 'p.json')).json).toBe('{"version":"bom-1"}');
  });

  it('stops synth when a route budget does not fit in its function timeout', () => {
    const policyFile = writeTempFile('policy.json', { budget_ms: { api: 19_500 } });
    const budgetError = thrown(buildWith({ policyFile }));
    expect((budgetError as ContextError).key).toBe('apiTimeoutSeconds');
    expect(budgetError.message).toMatch(/budget_ms\.api \(19500 ms\).*apiTimeoutSeconds=20/);
    const perSource = writeTempFile('policy.json', { sources: { auth0: { budget_ms: { auth0: 12_000 } } } });
    expect(thrown(buildWith({ policyFile: perSource })).message).toMatch(/budget_ms\.auth0/);
  });

  it.each([
    ['cognito', 4001, 'cognitoTimeoutSeconds=5'],
    ['supabase', 5001, 'supabaseTimeoutSeconds=6'],
    ['okta', 3001, 'oktaTimeoutSeconds=4'],
  ])('stops synth when budget_ms.%s (%i ms) does not fit in %s', (source, budget, timeout) => {
    const policyFile = writeTempFile('policy.json', { budget_ms: { [source]: budget } });
    const message = thrown(buildWith({ policyFile })).message;
    expect(message).toContain(`budget_ms.${source} (${budget} ms)`);
    expect(message).toContain(timeout);
  });

  it('fits a larger Supabase budget in a longer timeout; Cognito cannot wait past its 5 s', () => {
    const policyFile = writeTempFile('policy.json', { budget_ms: { supabase: 5001 } });
    expect(() => buildWith({ policyFile, supabaseTimeoutSeconds: 7 })()).not.toThrow();
    const error = thrown(buildWith({ cognitoTimeoutSeconds: 6 }));
    expect(error).toBeInstanceOf(ContextError);
    expect((error as ContextError).key).toBe('cognitoTimeoutSeconds');
  });

  it('stages a policy with long lists, which no environment limit constrains any more', () => {
    const emails = Array.from({ length: 300 }, (_, i) => `blocked.user.${i}@example.com`);
    const policy = { version: 'long-lists', block: { emails } };
    const { app, stack } = buildWith({ policyFile: writeTempFile('policy.json', policy) })();
    const assembly = app.synth();
    expect(stack.policyFile.startsWith(assembly.directory)).toBe(true);
    expect(readFileSync(stack.policyFile, 'utf8')).toBe(JSON.stringify(policy));
    const template = readFileSync(join(assembly.directory, `${stack.stackName}.template.json`), 'utf8');
    expect(template).not.toContain('blocked.user.');
    // app.synth() fingerprints every function's (unbundled) asset: thirteen of them take long on a loaded machine.
  }, 90_000);
});

describe('context variants', () => {
  it('with alarmEmail: an SSL-only SNS topic, an e-mail subscription, actions on every alarm, nag clean', () => {
    const s = synthesise({ ...NO_BUNDLING, alarmEmail: 'ops@example.com' });
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    const topicId = Object.keys(s.template.findResources('AWS::SNS::Topic'))[0]!;
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [{ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
      },
    });
    const alarms = Object.values(s.template.findResources('AWS::CloudWatch::Alarm')) as Cfn[];
    expect(alarms.length).toBe(46); // two per provider hook function, three of the enforcer, five of re-screening
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
    expect(s.template.toJSON().Outputs.AlarmTopicArn).toBeDefined();
    expect(s.nagViolations).toEqual([]);
  });

  it('with removalPolicy=destroy and no deletion protection: table and pepper go with the stack', () => {
    const s = synthesise({
      ...NO_BUNDLING,
      removalPolicy: 'destroy',
      deletionProtection: false,
      tableName: 'signup-gate-dev',
      secretPrefix: 'sg-dev',
      throttleRateLimit: 5,
      throttleBurstLimit: 10,
      memorySize: 1024,
      logRetentionDays: 7,
    });
    const [table] = Object.values(s.template.findResources('AWS::DynamoDB::GlobalTable')) as Cfn[];
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties.TableName).toBe('signup-gate-dev');
    expect(table.Properties.Replicas[0].DeletionProtectionEnabled).toBe(false);
    s.template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Delete',
      Properties: { Name: 'sg-dev/hash-pepper' },
    });
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    });
    s.template.allResourcesProperties('AWS::Lambda::Function', { MemorySize: 1024 });
    s.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    expect(s.nagViolations).toEqual([]);
  });

  it('with per-route throttles, reserved hook concurrency and alarm thresholds from context', () => {
    const s = synthesise({
      ...NO_BUNDLING,
      hookThrottleRateLimit: 7,
      hookThrottleBurstLimit: 14,
      operatorThrottleRateLimit: '3',
      operatorThrottleBurstLimit: '6',
      hookReservedConcurrency: '25',
      providerHookReservedConcurrency: '5',
      degradedShareThreshold: '0.5',
      degradedShareMinVerdicts: 100,
      rateLimitErrorsThreshold: 3,
      storeWriteFailuresThreshold: 4,
    });
    const [stage] = Object.values(s.template.findResources('AWS::ApiGatewayV2::Stage')) as Cfn[];
    const settings = stage.Properties.RouteSettings as Record<string, Cfn>;
    expect(settings['ANY /hooks/supabase']).toEqual({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 14 });
    expect(settings['DELETE /lists/{entry_id}']).toEqual({ ThrottlingRateLimit: 3, ThrottlingBurstLimit: 6 });

    const reserved = Object.fromEntries(
      Object.entries(s.stack.functions).map(([name, service]) => [
        name,
        (
          s.template.toJSON().Resources[
            s.stack.getLogicalId(service.function.node.defaultChild as CfnElement)
          ] as Cfn
        ).Properties.ReservedConcurrentExecutions,
      ]),
    );
    expect(reserved).toEqual({
      'auth0-hook': 25,
      'stripe-hook': 25,
      'supabase-hook': 25,
      'cognito-pre-signup': 25,
      api: undefined,
      'verdict-events': undefined,
      'okta-hook': 5,
      'kratos-hook': 5,
      'paddle-hook': 5,
      'clerk-hook': 5,
      'firebase-hook': 5,
      'workos-hook': 5,
      enforcer: undefined,
    });
    expect(
      Object.keys(reserved)
        .filter((name) => reserved[name] === 25)
        .sort(),
    ).toEqual([...HOOK_FUNCTIONS].sort());

    const alarms = Object.values(s.template.findResources('AWS::CloudWatch::Alarm')).map(
      (r: Cfn) => r.Properties,
    );
    const described = (text: string) => alarms.find((a) => String(a.AlarmDescription).includes(text));
    expect(described('were degraded')).toMatchObject({ Threshold: 0.5 });
    expect(JSON.stringify(described('were degraded').Metrics)).toContain('IF(verdicts >= 100, share, 0)');
    expect(described('rate-limit errors')).toMatchObject({ Threshold: 3 });
    expect(described('velocity counts')).toMatchObject({ Threshold: 4 });
    expect(described('best-effort store writes')).toMatchObject({ Threshold: 4 });
    expect(s.nagViolations).toEqual([]);
  });
});

describe('the documented settings', () => {
  it('all valid values the guides show, at once, synthesise cdk-nag clean (documented-settings.test.ts reads each)', () => {
    const valid = validDocumentedValues();
    expect(valid).toMatchObject({ removalPolicy: 'destroy', deletionProtection: false });
    const s = synthesise({ ...NO_BUNDLING, ...valid });
    s.template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
    expect(s.nagViolations).toEqual([]);
  });
});

describe('Cognito variants (docs/cognito.md)', () => {
  const POOL_ARN = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123';
  const cognitoPermissions = (s: ReturnType<typeof synthesise>) =>
    (Object.values(s.template.findResources('AWS::Lambda::Permission')) as Cfn[])
      .map((r) => r.Properties)
      .filter((p) => p.Principal === 'cognito-idp.amazonaws.com');
  const functionId = (s: ReturnType<typeof synthesise>) =>
    s.stack.getLogicalId(s.stack.functions['cognito-pre-signup'].function.node.defaultChild as CfnElement);

  it('with cognitoUserPoolArn: only that pool may invoke the trigger; nag clean', () => {
    const s = synthesise({ ...NO_BUNDLING, cognitoUserPoolArn: POOL_ARN });
    expect(cognitoPermissions(s)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [functionId(s), 'Arn'] },
        Principal: 'cognito-idp.amazonaws.com',
        SourceArn: POOL_ARN,
      },
    ]);
    s.template.resourceCountIs('AWS::Cognito::UserPool', 0);
    expect(s.template.toJSON().Outputs.CognitoPreSignUpFunctionArn.Value).toEqual({
      'Fn::GetAtt': [functionId(s), 'Arn'],
    });
    // The enforcer may disable and enable users of that pool only (docs/enforcement.md).
    const cognitoStatements = (Object.values(s.template.findResources('AWS::IAM::Policy')) as Cfn[])
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Cfn[])
      .filter((st) => JSON.stringify(st.Action).includes('cognito-idp:'));
    expect(cognitoStatements).toEqual([
      expect.objectContaining({
        Action: ['cognito-idp:AdminDisableUser', 'cognito-idp:AdminEnableUser'],
        Resource: POOL_ARN,
      }),
    ]);
    expect(s.nagViolations).toEqual([]);
  });

  it('with cognitoExamplePool=true: a user pool whose PreSignUp is the trigger, its ids as outputs; nag clean', () => {
    const s = synthesise({ ...NO_BUNDLING, cognitoExamplePool: 'true' });
    const pools = Object.entries(s.template.findResources('AWS::Cognito::UserPool')) as [string, Cfn][];
    expect(pools).toHaveLength(1);
    const [poolId, pool] = pools[0]!;
    expect(pool.Properties.LambdaConfig).toEqual({ PreSignUp: { 'Fn::GetAtt': [functionId(s), 'Arn'] } });
    // The pool's own permission (its ARN) and the account-wide one (no cognitoUserPoolArn given).
    expect(cognitoPermissions(s).map((p) => p.SourceArn ?? p.SourceAccount)).toEqual(
      expect.arrayContaining([{ 'Fn::GetAtt': [poolId, 'Arn'] }, { Ref: 'AWS::AccountId' }]),
    );
    const outputs = s.template.toJSON().Outputs;
    expect(outputs.CognitoExampleUserPoolId.Value).toEqual({ Ref: poolId });
    expect(outputs.CognitoExampleUserPoolClientId).toBeDefined();
    expect(s.nagViolations).toEqual([]);
  });

  it('refuses a cognitoUserPoolArn that is not a user pool ARN, naming the key', () => {
    const error = thrown(buildWith({ cognitoUserPoolArn: 'arn:aws:iam::123456789012:role/not-a-pool' }));
    expect(error).toBeInstanceOf(ContextError);
    expect((error as ContextError).key).toBe('cognitoUserPoolArn');
  });
});

describe('cdk-nag is live', () => {
  it('fails synth on an unacknowledged finding and reports it', () => {
    const outdir = tempDir('nag-control');
    const app = new App({ outdir });
    new secretsmanager.Secret(new Stack(app, 'Control'), 'Unrotated');
    applyNag(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-SMG4/);
    expect(readNagViolations(outdir)).toEqual([
      expect.objectContaining({ ruleName: 'AwsSolutions-SMG4', severity: 'error' }),
    ]);
  });
});
