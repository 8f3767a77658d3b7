/**
 * `npx cdk synth` of the real app (cdk.json → infra/app.ts) as a child process, the way a user runs it on a fresh
 * clone: no Docker (bundling by the local esbuild), no AWS credentials, and network calls sent to a dead proxy so
 * that anything trying to go online fails instead of passing by luck. The artifact test runs it once.
 */
import { execFile } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../infra/bundling.js';
import { type Cfn, tempDir } from '../infra/support.js';

const DEAD_PROXY = 'http://127.0.0.1:9';

/** The caller's environment without AWS, CDK or proxy settings, and every way online closed. */
export const offlineEnv = (): NodeJS.ProcessEnv => {
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

export interface CliSynth {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The cloud assembly directory (`--output`). */
  outdir: string;
  /** The stack template, or null when synth failed before writing it. */
  template: Cfn | null;
  ms: number;
}

/**
 * Runs `npx cdk synth --quiet --output <fresh temp dir>` with umask 077. The temp dir (mkdtemp makes it 0700) is opened to
 * 0755 so an unprivileged user can reach the assets inside it; nothing inside it is touched, since the assets'
 * own modes are what the artifact test checks.
 */
export const cliSynth = async (stackName = 'SignupGate'): Promise<CliSynth> => {
  const outdir = tempDir('cli-synth');
  chmodSync(outdir, 0o755);
  const started = performance.now();
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    // Under the strictest usual umask (077): the assets' modes must come from the build, not from the machine.
    execFile(
      '/bin/sh',
      ['-c', 'umask 077 && exec npx cdk synth --quiet --output "$0"', outdir],
      // Twelve bundles: on a loaded machine this takes minutes, not seconds.
      { cwd: PROJECT_ROOT, env: offlineEnv(), timeout: 480_000, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? ((error.code as number) ?? 1) : 0, stdout, stderr }),
    );
  });
  let template: Cfn | null = null;
  try {
    template = JSON.parse(readFileSync(join(outdir, `${stackName}.template.json`), 'utf8'));
  } catch {
    template = null;
  }
  return { ...result, outdir, template, ms: Math.round(performance.now() - started) };
};
