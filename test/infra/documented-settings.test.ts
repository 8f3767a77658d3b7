/**
 * Every setting value the guides show (a `-c key=value`, a `"key": value` for cdk.json, the choices of the
 * deploy.md table) either reads to a configuration or stops synth with one line naming its key, and the settings
 * shown together (and all valid ones at once) build a stack the same way. Values are read with readInfraConfig
 * (milliseconds); stacks are built without bundling or synthesis, which already runs every construct-time check
 * (e.g. the removal policies the table accepts). variants.test.ts synthesises all valid values at once, with cdk-nag.
 */
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ContextError, type InfraConfig, readInfraConfig } from '../../infra/context.js';
import { PolicyError } from '../../shared/policy/schema.js';
import { choices, combinations, documented, validDocumentedValues } from './documented.js';
import { buildWithFlags, NO_BUNDLING, tempDir } from './support.js';

const read = (context: Record<string, unknown>): InfraConfig => readInfraConfig(new App({ context }).node);

/** Runs `fn`: its result, or the configuration error it stopped with (one line, naming a key). */
const outcome = <T>(fn: () => T): { ok: T } | { key: string; message: string } => {
  try {
    return { ok: fn() };
  } catch (error) {
    if (!(error instanceof ContextError || error instanceof PolicyError)) throw error;
    expect(error.message).not.toContain('\n');
    return {
      key: error instanceof ContextError ? error.key : `policy:${error.field}`,
      message: error.message,
    };
  }
};

describe('documented setting values', () => {
  it('are found in the guides (the extraction works)', () => {
    const shown = new Set(documented.map(([key, value]) => `${key}=${String(value)}`));
    for (const expected of [
      'alarmEmail=ops@example.com',
      'hookReservedConcurrency=50',
      'memorySize=lots',
      'cognitoTimeoutSeconds=8',
      'removalPolicy=snapshot',
      'removalPolicy=destroy',
      'deletionProtection=false',
      'cognitoExamplePool=true',
      'secretPrefix=signup-gate-2',
      'policyFile=policies/staging.json',
      'degradedShareThreshold=0.1',
    ]) {
      expect(shown, expected).toContain(expected);
    }
    expect(choices).toEqual([
      ['removalPolicy', 'retain'],
      ['removalPolicy', 'destroy'],
      ['logLevel', 'DEBUG'],
      ['logLevel', 'INFO'],
      ['logLevel', 'WARN'],
      ['logLevel', 'ERROR'],
    ]);
    expect(combinations.length).toBeGreaterThanOrEqual(2);
  });

  it.each([...documented, ...choices])('%s=%j reads, or stops with one line naming the key', (key, value) => {
    for (const form of [value, String(value)]) {
      const result = outcome(() => read({ [key]: form }));
      if ('key' in result) expect(result.key).toBe(key);
    }
  });

  it('fail exactly where the guides say they fail', () => {
    const failing = documented.filter(([key, value]) => 'key' in outcome(() => read({ [key]: value })));
    expect(failing.map(([key, value]) => `${key}=${String(value)}`).sort()).toEqual(
      // The three examples of an invalid value, and the placeholders of the import and Cognito steps.
      [
        'cognitoTimeoutSeconds=8',
        'cognitoUserPoolArn=<pool ARN>',
        'cognitoUserPoolArn=arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>',
        'memorySize=lots',
        'removalPolicy=snapshot',
        "tableName=<that table's name>",
      ],
    );
  });
});

describe('documented combinations', () => {
  it('build a stack, or stop with one line naming the key', { timeout: 60_000 }, () => {
    for (const combination of combinations) {
      const result = outcome(() =>
        buildWithFlags({ outdir: tempDir('doc-combo'), context: { ...NO_BUNDLING, ...combination } }),
      );
      if ('key' in result) expect(Object.keys(combination), result.message).toContain(result.key);
    }
  });

  it('all valid documented values at once build a stack', () => {
    const valid = validDocumentedValues();
    expect(Object.keys(valid).length).toBeGreaterThan(8);
    const { stack } = buildWithFlags({ outdir: tempDir('doc-all'), context: { ...NO_BUNDLING, ...valid } });
    expect(stack.stackName).toBe(valid.stackName ?? 'SignupGate');
    expect(read(valid)).toMatchObject({ removalPolicy: valid.removalPolicy, alarmEmail: valid.alarmEmail });
  });
});
