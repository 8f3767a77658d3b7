/**
 * docs/deploy.md stays true to the stack: every context key with its default, every output, every alarm id, the
 * logical ids its import commands name, the shell variables its commands use, the settings mechanism; and the other
 * guides keep secrets out of shell history and agree with `engines` on the Node.js version.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/bundling.js';
import { DEFAULT_CONFIG, secretPrefixOf } from '../../infra/context.js';
import { CONTROL_KEYS, NAMES_FILE } from '../../infra/settings.js';
import { NO_BUNDLING, type Synthesised, synthesise } from './support.js';

const read = (...path: string[]): string => readFileSync(join(PROJECT_ROOT, ...path), 'utf8');
const doc = read('docs', 'deploy.md');

let synthesised: Synthesised;
beforeAll(() => {
  synthesised = synthesise(NO_BUNDLING);
});

/** Table rows of the doc as cells (`| a | b |` → ['a', 'b']). */
const rows = doc
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .map((line) =>
    line
      .slice(1, -1)
      .split(' | ')
      .map((cell) => cell.trim()),
  );

/** `a` / `b` → ['a', 'b'] (the keys and defaults of a row). */
const parts = (cell: string): string[] => cell.split(' / ').map((part) => part.trim().replace(/^`|`$/g, ''));

describe('docs/deploy.md', () => {
  it.each(Object.entries(DEFAULT_CONFIG))('documents the context key %s with its default', (key, value) => {
    const row = rows.find((cells) => parts(cells[0]!).includes(key));
    expect(row, `no row for ${key}`).toBeDefined();
    const index = parts(row![0]!).indexOf(key);
    const documented = parts(row![1]!)[index] ?? parts(row![1]!)[0];
    const unsetAs: Record<string, string> = { tableName: 'generated', secretPrefix: 'derived' };
    expect(documented).toBe(value === undefined ? (unsetAs[key] ?? 'unset') : String(value));
  });

  it('gives the derived secret prefix of the default stack as the code derives it', () => {
    const row = rows.find((cells) => cells[0] === '`secretPrefix`');
    expect(row?.[2]).toContain(
      `(\`${secretPrefixOf({ stackName: DEFAULT_CONFIG.stackName, secretPrefix: undefined })}\`)`,
    );
    expect(doc).toContain('`SignupGate-staging` →\n`signup-gate-staging/…`');
  });

  it('documents the settings mechanism: cdk.json, one-offs, confirmed renames and their record', () => {
    for (const key of CONTROL_KEYS) expect(doc).toContain(`-c ${key}=`);
    expect(doc).toContain(`\`${NAMES_FILE}\``);
    expect(doc).toMatch(/### Renaming: the stack, the table, the secrets/);
    // Every -c in the guide is one of the control keys: settings are shown as cdk.json entries.
    const settingFlags = [...doc.matchAll(/-c ([A-Za-z]+)=/g)].map((m) => m[1]);
    expect(settingFlags.filter((key) => !(CONTROL_KEYS as readonly string[]).includes(key!))).toEqual([
      'key',
    ]);
  });

  it('names the logical ids of the table and the pepper (for cdk import) as the template has them', () => {
    const ids = new Set(Object.keys(synthesised.template.toJSON().Resources));
    const named = [...new Set([...doc.matchAll(/\b([A-Z][A-Za-z0-9]+[0-9A-F]{8})\b/g)].map((m) => m[1]!))];
    expect(named.sort()).toEqual(['HashPepperE0CD711E', 'TableCD117FA1']);
    for (const id of named) expect(ids.has(id), id).toBe(true);
    const resources = synthesised.template.toJSON().Resources;
    expect(resources.TableCD117FA1.Type).toBe('AWS::DynamoDB::GlobalTable');
    expect(resources.HashPepperE0CD711E.Properties.Name).toBe('signup-gate/hash-pepper');
  });

  it('defines every shell variable its commands use', () => {
    // Shell parts of the guide: sh blocks and inline commands (ts and json blocks are not shell).
    const shell = [
      ...[...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!),
      ...[
        ...doc.replace(/```[\s\S]*?```/g, '').matchAll(/`((?:aws|npx|read|stripe|export|for) [^`\n]+)`/g),
      ].map((m) => m[1]!),
    ].join('\n');
    const used = new Set([...shell.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
    used.delete('default'); // the API Gateway stage `$default` in execute-api ARNs
    // Read with a fallback (`${AWS_DEFAULT_REGION:-...}`): may be unset.
    for (const m of shell.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):-/g)) used.delete(m[1]!);
    const defined = new Set(
      [
        ...shell.matchAll(/(?:^|[\s;(])(?:export )?([A-Za-z_][A-Za-z0-9_]*)=/gm),
        ...shell.matchAll(/read -rs? ([A-Za-z_][A-Za-z0-9_ ]*)/g),
        ...shell.matchAll(/for ([A-Za-z_][A-Za-z0-9_]*) in/g),
      ].flatMap((m) => m[1]!.trim().split(/\s+/)),
    );
    expect([...used].filter((name) => !defined.has(name))).toEqual([]);
    expect(used.has('STRIPE_HOOK_URL')).toBe(true);
  });

  it('tells which account and region the deploy uses, and bootstraps exactly those', () => {
    expect(doc).toContain('npx cdk bootstrap "aws://$ACCOUNT/$AWS_REGION"');
    expect(doc).toContain('aws sts get-caller-identity --query Account --output text');
    expect(read('infra', 'build-app.ts')).toContain(
      'env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }',
    );
  });

  it('has a tear-down in order: bus rules and targets, the event topics, then cdk destroy; and the purge', () => {
    const teardown = doc.slice(doc.indexOf('## 12. Tear-down'));
    const order = [
      'aws events remove-targets',
      'aws events delete-rule',
      'aws sns delete-topic',
      'npx cdk destroy',
    ];
    let at = 0;
    for (const text of order) {
      at = teardown.indexOf(text, at);
      expect(at, `${text} after the previous step`).toBeGreaterThan(0);
    }
    for (const text of ['npx cdk gc', 'list-object-versions', 'delete-table', 'hash-pepper', 'policy.json']) {
      expect(teardown).toContain(text);
    }
    expect(doc).not.toContain('snapshot` or `destroy');
  });

  it('names every stack output', () => {
    for (const output of [
      'ApiUrl',
      'Auth0HookUrl',
      'StripeHookUrl',
      'SupabaseHookUrl',
      'CognitoPreSignUpFunctionArn',
      'TableName',
      'EventBusName',
      'EventBusArn',
      'SupabaseHookSecretName',
      'DashboardName',
      'AlarmTopicArn',
    ]) {
      expect(doc).toContain(`\`${output}\``);
    }
  });

  it('names every alarm (by construct id; per function as <Function>Errors / <Function>Throttles)', () => {
    const { stack } = synthesised;
    const ids = stack.alarms.alarms.map((alarm) => alarm.node.id);
    expect(ids.length).toBeGreaterThan(20);
    for (const id of ids.filter((id) => !/(Errors|Throttles)$/.test(id) || /^Defastra|^Store/.test(id))) {
      expect(doc, id).toContain(`\`${id}\``);
    }
    expect(doc).toContain('`<Function>Errors`, `<Function>Throttles`');
  });

  it('documents the sample rule for blocked signups', () => {
    expect(doc).toContain(
      '{"source":["signup-gate"],"detail-type":["Verdict Created"],"detail":{"decision":["block"]}}',
    );
    expect(doc).toMatch(/aws events put-rule/);
    expect(doc).toMatch(/aws events put-targets/);
    expect(doc).toMatch(/at least once/i);
  });
});

describe('the other guides', () => {
  it('never put a secret value on a command line (shell history): read -rs instead', () => {
    for (const file of ['deploy.md', 'stripe.md', 'supabase.md', 'auth0.md', 'cognito.md', 'cli.md']) {
      const text = read('docs', file);
      expect(text, file).not.toMatch(/--secret-string '/);
      for (const match of text.matchAll(/--secret-string "\$([A-Z_]+)"/g)) {
        expect(text, `${file}: ${match[1]}`).toContain(`read -rs ${match[1]}`);
      }
    }
    expect(read('README.md')).not.toMatch(/--secret-string '/);
  });

  it('give the Node.js version that package.json engines requires', () => {
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('>=20.6');
    expect(doc).toContain('Node.js 20.6 or newer');
    expect(read('README.md')).toContain('Node 20.6+');
  });

  it('show settings as cdk.json entries, not one-off -c flags', () => {
    for (const file of ['cognito.md', 'stripe.md', 'supabase.md', 'auth0.md', 'cli.md', 'capacity.md']) {
      expect(read('docs', file), file).not.toMatch(/-c [a-z][A-Za-z]+=/);
    }
  });
});
