/**
 * `npx cdk synth` of the real app (cdk.json → infra/app.ts), as a child process, the way a user runs it
 * on a fresh clone: no Docker (bundling by the local esbuild), no AWS credentials, and network calls
 * sent to a dead proxy so that anything trying to go online fails instead of passing by luck.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/bundling.js';
import { readNagViolations, tempDir } from './support.js';

const DEAD_PROXY = 'http://127.0.0.1:9';

const offlineEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(AWS_|CDK_)/.test(key) || /^(https?|all)_proxy$/i.test(key)) delete env[key];
  }
  return {
    ...env,
    HTTP_PROXY: DEAD_PROXY,
    HTTPS_PROXY: DEAD_PROXY,
    NO_PROXY: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    CDK_DISABLE_VERSION_CHECK: '1',
    npm_config_update_notifier: 'false',
    npm_config_offline: 'true',
  };
};

describe('npx cdk synth', () => {
  it('synthesises the app offline and exits 0', { timeout: 180_000 }, async () => {
    const outdir = tempDir('cli-synth');
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'npx',
        ['cdk', 'synth', '--quiet', '--output', outdir],
        { cwd: PROJECT_ROOT, env: offlineEnv(), timeout: 170_000, maxBuffer: 32 * 1024 * 1024 },
        (error, stdout, stderr) =>
          resolve({ code: error ? ((error.code as number) ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    expect(result.stderr).not.toMatch(/docker/i);
    // cdk.json sets the recommended feature flags: no "N feature flags are not configured" warning.
    expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/feature flags/i);
    const template = JSON.parse(readFileSync(join(outdir, 'SignupGate.template.json'), 'utf8'));
    expect(Object.keys(template.Resources).length).toBeGreaterThan(30);
    const resources = Object.values(template.Resources) as Array<{ Type: string }>;
    expect(resources.filter((r) => r.Type === 'AWS::Lambda::Function')).toHaveLength(6);
    expect(existsSync(join(outdir, 'manifest.json'))).toBe(true);
    expect(readNagViolations(outdir)).toEqual([]);
  });
});
