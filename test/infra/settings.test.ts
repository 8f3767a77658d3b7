/**
 * Settings that stick (infra/settings.ts): a `-c` that differs from cdk.json is refused unless named in `oneOff`; a
 * change of the stack, table or secret names is refused unless named in `confirmReplace`, and then recorded; the app
 * entry reports every configuration error as one line, without a stack trace (run as a child process, as the CDK CLI
 * runs it).
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { PROJECT_ROOT } from '../../infra/bundling.js';
import { ContextError, readInfraConfig, secretPrefixOf } from '../../infra/context.js';
import {
  checkSettings,
  NAMES_FILE,
  readCommittedContext,
  readNames,
  type StatefulNames,
  statefulNamesOf,
} from '../../infra/settings.js';
import { FEATURE_FLAGS, NO_BUNDLING, tempDir, writeTempFile } from './support.js';

const committed = readCommittedContext(PROJECT_ROOT);
const DEFAULT_NAMES: StatefulNames = {
  stackName: 'SignupGate',
  tableName: null,
  secretPrefix: 'signup-gate',
};

/** checkSettings as the entry runs it: the effective context is cdk.json's, then the `-c` values. */
const check = (
  cli: Record<string, unknown>,
  options: { committed?: Record<string, unknown>; recorded?: StatefulNames | undefined } = {},
) => {
  const base = options.committed ?? committed;
  const node = new App({ context: { ...base, ...cli } }).node;
  return checkSettings({
    node,
    config: readInfraConfig(node),
    committed: base,
    recorded: 'recorded' in options ? options.recorded : DEFAULT_NAMES,
  });
};

const refusal = (fn: () => unknown): ContextError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ContextError);
    expect((error as Error).message).not.toContain('\n');
    return error as ContextError;
  }
  throw new Error('expected a ContextError');
};

describe('the committed settings', () => {
  it('record the default names, which the committed cdk.json gives', () => {
    expect(readNames(PROJECT_ROOT)).toEqual(DEFAULT_NAMES);
    expect(statefulNamesOf(readInfraConfig(new App({ context: committed }).node))).toEqual(DEFAULT_NAMES);
    expect(check({})).toEqual({ warnings: [], infos: [], record: undefined });
  });

  it('derive the secret prefix from the stack name, so a second stack has its own secrets', () => {
    expect(secretPrefixOf({ stackName: 'SignupGate', secretPrefix: undefined })).toBe('signup-gate');
    expect(secretPrefixOf({ stackName: 'SignupGate-staging', secretPrefix: undefined })).toBe(
      'signup-gate-staging',
    );
    expect(secretPrefixOf({ stackName: 'Fraud2Gate', secretPrefix: undefined })).toBe('fraud2-gate');
    expect(secretPrefixOf({ stackName: 'SignupGate', secretPrefix: 'custom' })).toBe('custom');
  });
});

describe('a -c value that differs from cdk.json', () => {
  it.each([
    ['memorySize', '1024'],
    ['alarmEmail', 'ops@example.com'],
    ['hookReservedConcurrency', '50'],
    ['cognitoUserPoolArn', 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123'],
    ['tableName', 'signup-gate-verdicts'],
    ['policyFile', 'policies/staging.json'],
  ])('is refused, naming the key: %s=%s', (key, value) => {
    const error = refusal(() => check({ [key]: value }));
    expect(error.key).toBe(key);
    expect(error.message).toContain('cdk.json');
    expect(error.message).toContain(`-c oneOff=${key}`);
  });

  it('is accepted when equal to cdk.json (as the string -c passes)', () => {
    expect(check({ memorySize: '512', deletionProtection: 'true', logLevel: 'info' }).warnings).toEqual([]);
  });

  it('is accepted with oneOff, with a warning naming it', () => {
    const outcome = check({ memorySize: '1024', logLevel: 'DEBUG', oneOff: 'memorySize,logLevel' });
    expect(outcome.warnings).toEqual([
      expect.stringMatching(/^one-off setting memorySize=1024 \(cdk\.json: 512\)/),
      expect.stringMatching(/^one-off setting logLevel="DEBUG"/),
    ]);
  });

  it('refuses an unknown oneOff or confirmReplace key, and both keys in cdk.json', () => {
    expect(refusal(() => check({ oneOff: 'memorySise' })).key).toBe('oneOff');
    expect(refusal(() => check({ confirmReplace: 'memorySize' })).key).toBe('confirmReplace');
    expect(refusal(() => check({}, { committed: { ...committed, oneOff: 'memorySize' } })).key).toBe(
      'oneOff',
    );
    expect(refusal(() => check({}, { committed: { ...committed, confirmReplace: 'tableName' } })).key).toBe(
      'confirmReplace',
    );
  });

  it('warns about a context key that is no setting (a typo)', () => {
    expect(check({ alarmEmial: 'ops@example.com' }).warnings).toEqual([
      expect.stringContaining('alarmEmial is not a setting'),
    ]);
  });
});

describe('a change of the stateful names (edited in cdk.json)', () => {
  const edited = (settings: Record<string, unknown>) => ({ committed: { ...committed, ...settings } });

  it.each([
    [{ tableName: 'signup-gate-verdicts' }, 'tableName', 'tableName', /new, empty one/],
    [{ secretPrefix: 'sg' }, 'secretPrefix', 'secretPrefix', /new pepper/],
    [{ stackName: 'SignupGate-staging' }, 'stackName', 'stackName,secretPrefix', /second stack/],
  ])('%j is refused unless confirmed, naming the key', (settings, key, confirm, consequence) => {
    const error = refusal(() => check({}, edited(settings)));
    expect(error.key).toBe(key);
    expect(error.message).toMatch(consequence);
    expect(error.message).toContain(`-c confirmReplace=${confirm}`);
    const outcome = check({ confirmReplace: confirm }, edited(settings));
    expect(outcome.record).toEqual(
      statefulNamesOf(readInfraConfig(new App({ context: edited(settings).committed }).node)),
    );
    expect(outcome.warnings).toEqual([expect.stringContaining(`${NAMES_FILE} updated`)]);
  });

  it('says how to keep the secrets when only the derived prefix changes', () => {
    const error = refusal(() => check({ confirmReplace: 'stackName' }, edited({ stackName: 'Prod' })));
    expect(error.key).toBe('secretPrefix');
    expect(error.message).toContain('set "secretPrefix": "signup-gate" in cdk.json');
    expect(
      check({ confirmReplace: 'stackName' }, edited({ stackName: 'Prod', secretPrefix: 'signup-gate' }))
        .record,
    ).toEqual({ ...DEFAULT_NAMES, stackName: 'Prod' });
  });

  it('is recorded at the first synth when there is no record yet', () => {
    expect(check({}, { recorded: undefined })).toMatchObject({
      record: DEFAULT_NAMES,
      infos: [expect.any(String)],
    });
  });
});

describe('buildApp with a settings root', () => {
  it('writes the record after a confirmed change and shows the warning on the stack', () => {
    const root = tempDir('settings');
    const context = { ...committed, tableName: 'signup-gate-verdicts' };
    writeFileSync(join(root, 'cdk.json'), JSON.stringify({ app: 'x', context }));
    writeFileSync(join(root, NAMES_FILE), JSON.stringify(DEFAULT_NAMES));
    const props = { outdir: tempDir('cdk-out'), context: { ...FEATURE_FLAGS, ...NO_BUNDLING, ...context } };
    expect(() => buildApp(props, { settingsRoot: root })).toThrow(ContextError);
    expect(readNames(root)).toEqual(DEFAULT_NAMES);

    const { stack } = buildApp(
      { ...props, context: { ...props.context, confirmReplace: 'tableName' } },
      { settingsRoot: root },
    );
    expect(readNames(root)).toEqual({ ...DEFAULT_NAMES, tableName: 'signup-gate-verdicts' });
    expect(JSON.parse(readFileSync(join(root, NAMES_FILE), 'utf8'))['//']).toContain('commit');
    const warnings = stack.node.metadata
      .filter((entry) => entry.type === 'aws:cdk:warning')
      .map((e) => e.data);
    expect(warnings).toEqual([
      expect.stringContaining('confirmed: tableName unset → "signup-gate-verdicts"'),
    ]);
  });
});

/** Runs the app entry as the CDK CLI does: `node --import tsx infra/app.ts`, the context in CDK_CONTEXT_JSON. */
const runEntry = (context: Record<string, unknown>) =>
  new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('CDK_')) delete env[key];
    execFile(
      process.execPath,
      ['--import', 'tsx', 'infra/app.ts'],
      {
        cwd: PROJECT_ROOT,
        env: {
          ...env,
          CDK_OUTDIR: tempDir('entry-out'),
          CDK_CONTEXT_JSON: JSON.stringify({ ...committed, ...context }),
        },
        timeout: 60_000,
      },
      (error, _stdout, stderr) => resolve({ code: error ? ((error.code as number) ?? 1) : 0, stderr }),
    );
  });

describe('infra/app.ts (the cdk.json entry)', () => {
  it('reports a bad context value and an invalid policy file as one line, exit 1', async () => {
    const invalidPolicy = writeTempFile('policy.json', { thresholds: { email: { block: 'severe' } } });
    // Two children (loading aws-cdk-lib takes seconds): a ContextError and a PolicyError. A policy file that cannot be
    // read is a ContextError too (variants.test.ts), printed by the same branch.
    const [badValue, invalid] = await Promise.all([
      runEntry({ memorySize: 'lots' }),
      runEntry({ policyFile: invalidPolicy, oneOff: 'policyFile' }),
    ]);
    const expected: Array<[typeof badValue, RegExp]> = [
      [badValue, /^invalid CDK context "memorySize": expected a whole number/],
      [invalid, /^invalid policy: thresholds\.email\.block: /],
    ];
    for (const [result, line] of expected) {
      expect(result.code, result.stderr).toBe(1);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(line);
      expect(result.stderr).not.toMatch(/\n\s+at |\.ts:\d+/);
    }
    // Nothing was recorded by refused runs.
    expect(readNames(PROJECT_ROOT)).toEqual(DEFAULT_NAMES);
  }, 90_000);
});
