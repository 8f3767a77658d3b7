/**
 * `signup-gate policy` against the real local server: show, diff, apply (refused without a terminal or --yes, then
 * applied with the diff's base as expected_version), versions, rollback, and the shadow set/show/clear.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyVersionAnswer, PolicyVersionSummary } from '../../shared/api/policy.js';
import type { PolicyChange } from '../../shared/policy-lifecycle/diff.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { type CliResult, cliEnv, ensureCliBuilt, jsonOf, runCli } from './run-cli.js';

let server: TestServer;
let fileVersion: string;
const cli = (...args: string[]): Promise<CliResult> =>
  runCli(['--url', server.url, ...args], { env: cliEnv({ API_TOKEN: server.apiToken }) });

const ok = (result: CliResult): CliResult => {
  if (result.code !== 0)
    throw new Error(`exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result;
};

const candidate = () => join(server.dataDir, 'candidate.json');
const invalid = () => join(server.dataDir, 'invalid.json');

beforeAll(async () => {
  [server] = await Promise.all([startTestServer(), ensureCliBuilt()]);
  await writeFile(
    candidate(),
    JSON.stringify({ version: 'candidate', mode: 'monitor', thresholds: { email: { review: 'low' } } }),
  );
  await writeFile(invalid(), JSON.stringify({ thresholds: { email: { review: 'sometimes' } } }));
  fileVersion = jsonOf<PolicyVersionAnswer>(ok(await cli('--json', 'policy', 'show'))).version;
});
afterAll(() => server?.close());

describe('signup-gate policy', () => {
  it('show prints the active version (the bundled file, by "file") and its effective policy', async () => {
    const shown = jsonOf<PolicyVersionAnswer>(ok(await cli('--json', 'policy', 'show')));
    expect(shown.created_by).toBe('file');
    expect(shown.policy).toMatchObject({ mode: 'enforce', thresholds: { email: { review: 'medium' } } });
    const text = ok(await cli('policy', 'show')).stdout;
    expect(text).toContain(fileVersion);
    expect(text).toContain('by file');
  });

  it('diff lists each changed key against the active version; a bad file names the field, locally', async () => {
    const diff = jsonOf<{ from: string; changes: PolicyChange[] }>(
      ok(await cli('--json', 'policy', 'diff', candidate())),
    );
    expect(diff.from).toBe(fileVersion);
    expect(diff.changes).toEqual([
      { path: 'mode', before: 'enforce', after: 'monitor' },
      { path: 'thresholds.email.review', before: 'medium', after: 'low' },
    ]);
    const text = ok(await cli('policy', 'diff', candidate())).stdout;
    expect(text).toContain(`2 changes from the active version ${fileVersion}`);
    expect(text).toContain('thresholds.email.review: "medium" -> "low"');
    const bad = await cli('policy', 'diff', invalid());
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('thresholds.email.review');
  });

  it('apply refuses without a terminal or --yes, and changes nothing', async () => {
    const refused = await cli('policy', 'apply', candidate());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('stdin is not a terminal');
    expect(refused.stderr).toContain('--yes');
    const shown = jsonOf<PolicyVersionAnswer>(ok(await cli('--json', 'policy', 'show')));
    expect(shown.version).toBe(fileVersion);
  });

  it('apply --yes makes a new version; versions lists it first; rollback restores the file policy', async () => {
    const applied = jsonOf<PolicyVersionAnswer>(
      ok(await cli('--json', 'policy', 'apply', candidate(), '--yes', '--comment', 'monitor first')),
    );
    expect(applied).toMatchObject({ version: 'r1', created_by: 'local', comment: 'monitor first' });
    expect(applied.policy).toMatchObject({ mode: 'monitor', thresholds: { email: { review: 'low' } } });
    expect(ok(await cli('policy', 'diff', candidate())).stdout).toContain(
      'no change from the active version r1',
    );

    const rolled = ok(await cli('policy', 'rollback', fileVersion)).stdout;
    expect(rolled).toContain(`rolled back to ${fileVersion} as r2`);
    const active = jsonOf<PolicyVersionAnswer>(ok(await cli('--json', 'policy', 'show')));
    expect(active).toMatchObject({ version: 'r2', comment: `rollback to ${fileVersion}` });
    expect(active.policy).toMatchObject({ mode: 'enforce' });

    const page = jsonOf<{ items: PolicyVersionSummary[] }>(ok(await cli('--json', 'policy', 'versions')));
    expect(page.items.map((v) => v.version)).toEqual(['r2', 'r1', fileVersion]);
    const table = ok(await cli('policy', 'versions')).stdout;
    expect(table).toMatch(/r1\s+\S+\s+local\s+monitor first/);

    const unknown = await cli('policy', 'rollback', 'r99');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^signup-gate: 404 /);
  });

  it('shadow set, show and clear; show without one says so', async () => {
    expect(ok(await cli('policy', 'shadow', 'show')).stdout).toContain('no shadow policy is set');
    const set = jsonOf<PolicyVersionAnswer>(
      ok(await cli('--json', 'policy', 'shadow', 'set', candidate(), '--comment', 'try it')),
    );
    expect(set).toMatchObject({ version: 's1', comment: 'try it' });
    const shown = jsonOf<PolicyVersionAnswer>(ok(await cli('--json', 'policy', 'shadow', 'show')));
    expect(shown.version).toBe('s1');
    expect(ok(await cli('policy', 'shadow', 'clear')).stdout).toContain('shadow policy cleared');
    expect(jsonOf(ok(await cli('--json', 'policy', 'shadow', 'show')))).toBeNull();
  });
});
