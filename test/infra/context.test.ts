/** The typed CDK context: cdk.json mirrors the defaults, `-c` strings are parsed, bad values name the key. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/bundling.js';
import { ContextError, DEFAULT_CONFIG, type InfraConfig, readInfraConfig } from '../../infra/context.js';

const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8'));
const read = (context: Record<string, unknown>): InfraConfig => readInfraConfig(new App({ context }).node);
/** Feature flags are CDK's own context keys, not settings of the stack. */
const isFeatureFlag = (key: string): boolean => key.startsWith('@aws-cdk');

describe('cdk.json', () => {
  it('runs the app with tsx and keeps synth quiet and offline', () => {
    expect(cdkJson.app).toBe('npx tsx infra/app.ts');
    expect(cdkJson.notices).toBe(false);
    expect(cdkJson.context['cli-telemetry']).toBe(false);
  });

  it('holds nothing but the stack settings, cli-telemetry and feature flags (a typo would be ignored silently)', () => {
    const known = new Set([...Object.keys(DEFAULT_CONFIG), 'cli-telemetry']);
    expect(Object.keys(cdkJson.context).filter((key) => !isFeatureFlag(key) && !known.has(key))).toEqual([]);
  });

  it('sets every feature flag aws-cdk-lib recommends, to the recommended value (as cdk init does)', () => {
    const flags = Object.fromEntries(Object.entries(cdkJson.context).filter(([key]) => isFeatureFlag(key)));
    expect(flags).toEqual(CURRENTLY_RECOMMENDED_FLAGS);
  });

  it('repeats every default of infra/context.ts, with the same value', () => {
    for (const [key, value] of Object.entries(DEFAULT_CONFIG)) {
      if (value === undefined) expect(cdkJson.context).not.toHaveProperty(key);
      else expect(cdkJson.context[key], key).toEqual(value);
    }
  });

  it('reads back to exactly the defaults', () => {
    expect(read(cdkJson.context)).toEqual(DEFAULT_CONFIG);
    expect(read({})).toEqual(DEFAULT_CONFIG);
  });
});

describe('readInfraConfig', () => {
  it('parses the strings that `-c key=value` passes', () => {
    const config = read({
      memorySize: '1024',
      deletionProtection: 'false',
      removalPolicy: 'DESTROY',
      logRetentionDays: '90',
      throttleRateLimit: '12.5',
      logLevel: 'debug',
      alarmEmail: 'ops@example.com',
      tableName: 'signup-gate-test',
      hookReservedConcurrency: '50',
      degradedShareThreshold: '0.35',
      cognitoExamplePool: 'true',
      cognitoUserPoolArn: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123',
    });
    expect(config).toMatchObject({
      hookReservedConcurrency: 50,
      degradedShareThreshold: 0.35,
      cognitoExamplePool: true,
      cognitoUserPoolArn: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123',
      memorySize: 1024,
      deletionProtection: false,
      removalPolicy: 'destroy',
      logRetentionDays: 90,
      throttleRateLimit: 12.5,
      logLevel: 'DEBUG',
      alarmEmail: 'ops@example.com',
      tableName: 'signup-gate-test',
    });
  });

  it('treats an empty optional value as unset', () => {
    expect(
      read({
        alarmEmail: '',
        stripeApiBaseUrl: 'none',
        hookReservedConcurrency: '',
        cognitoUserPoolArn: 'none',
      }),
    ).toMatchObject({
      alarmEmail: undefined,
      stripeApiBaseUrl: undefined,
      hookReservedConcurrency: undefined,
      cognitoUserPoolArn: undefined,
    });
  });

  it.each([
    ['memorySize', 'lots'],
    ['memorySize', 64],
    ['logRetentionDays', 10],
    ['apiTimeoutSeconds', 45],
    ['deletionProtection', 'yes'],
    ['removalPolicy', 'keep'],
    ['removalPolicy', 'snapshot'],
    ['removalPolicy', 'SNAPSHOT'],
    ['logLevel', 'TRACE'],
    ['alarmEmail', 'not-an-address'],
    ['defastraBaseUrl', 'ftp://example.com'],
    ['throttleBurstLimit', 0],
    ['stackName', '1-bad name'],
    ['cognitoTimeoutSeconds', 6],
    ['supabaseTimeoutSeconds', 30],
    ['verdictEventsTimeoutSeconds', 901],
    ['hookThrottleRateLimit', 0],
    ['operatorThrottleBurstLimit', 5001],
    ['hookReservedConcurrency', 0],
    ['hookReservedConcurrency', '2.5'],
    ['degradedShareThreshold', 1],
    ['degradedShareThreshold', '-0.1'],
    ['degradedShareMinVerdicts', 0],
    ['rateLimitErrorsThreshold', 'many'],
    ['storeWriteFailuresThreshold', 0],
    ['cognitoExamplePool', 'yes'],
    ['cognitoUserPoolArn', 'eu-west-1_AbCdEf123'],
  ])('rejects %s=%j with an error naming the key', (key, value) => {
    let error: unknown;
    try {
      read({ [key]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContextError);
    expect((error as ContextError).key).toBe(key);
    expect((error as Error).message).toContain(`"${key}"`);
    expect((error as Error).message).not.toContain('\n');
  });

  it('accepts exactly the removal policies the table supports (a global table cannot be snapshotted)', () => {
    expect(read({ removalPolicy: 'retain' }).removalPolicy).toBe('retain');
    expect(read({ removalPolicy: 'Destroy' }).removalPolicy).toBe('destroy');
    expect(() => read({ removalPolicy: 'snapshot' })).toThrow(/"removalPolicy": expected retain or destroy/);
  });
});
