/** docs/deploy.md stays true to the stack: every context key with its default, every output, every alarm id. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/bundling.js';
import { DEFAULT_CONFIG } from '../../infra/context.js';
import { NO_BUNDLING, synthesise } from './support.js';

const doc = readFileSync(join(PROJECT_ROOT, 'docs', 'deploy.md'), 'utf8');

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
    expect(documented).toBe(
      value === undefined ? (key === 'tableName' ? 'generated' : 'unset') : String(value),
    );
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
    const { stack } = synthesise(NO_BUNDLING);
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
