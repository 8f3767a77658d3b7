/**
 * Synth-time behaviour that needs no bundle (bundling is skipped here; stack.test.ts covers it):
 * policy validation, budget/timeout consistency, the alarm e-mail topic, removal settings, and proof
 * that cdk-nag really fails an unacknowledged finding.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { applyNag } from '../../infra/nag.js';
import { loadSynthPolicy } from '../../infra/policy.js';
import { PolicyError } from '../../shared/policy/schema.js';
import { type Cfn, NO_BUNDLING, readNagViolations, synthesise, tempDir, writeTempFile } from './support.js';

const buildWith = (context: Record<string, unknown>) => () =>
  buildApp({ outdir: tempDir('cdk-out'), context: { ...NO_BUNDLING, ...context } });

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
    expect(thrown(buildWith({ policyFile })).message).toMatch(/cannot read policy file .*nope\.json: ENOENT/);
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
    expect(thrown(buildWith({ policyFile })).message).toMatch(
      /budget_ms\.api \(19500 ms\).*apiTimeoutSeconds=20/,
    );
    const perSource = writeTempFile('policy.json', { sources: { auth0: { budget_ms: { auth0: 12_000 } } } });
    expect(thrown(buildWith({ policyFile: perSource })).message).toMatch(/budget_ms\.auth0/);
  });

  it('stops synth when the policy cannot fit in the Lambda environment', () => {
    const emails = Array.from({ length: 200 }, (_, i) => `blocked.user.${i}@example.com`);
    const policyFile = writeTempFile('policy.json', { block: { emails } });
    expect(thrown(buildWith({ policyFile })).message).toMatch(/bytes minified; at most 3000/);
  });
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
    expect(alarms.length).toBe(9);
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
