/**
 * `npm run bench` and `npm run load` as commands: `--help` lists every flag, an unknown flag stops with one
 * line, and the bench writes its report only when asked (`--write` / `--out`), so a plain run leaves the
 * tracked docs/benchmarks.md alone. The bench runs here are the smallest the flags allow (a few seconds).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = (script: string, args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    encoding: 'utf8',
    timeout: 90_000,
  });

/** The long flag names a script's parseArgs declares. */
const declaredFlags = async (script: string): Promise<string[]> => {
  const source = await readFile(script, 'utf8');
  const options = /parseArgs\(\{\s*options: \{([\s\S]*?)\n\s*\},\n\s*strict/.exec(source)?.[1] ?? '';
  return [...options.matchAll(/^\s*'?([a-z][a-z0-9-]*)'?: \{ type:/gm)].map((m) => m[1]!);
};

/** Smallest bench: no bundles, no profiles, a handful of requests. */
const SMALL = [
  '--requests',
  '10',
  '--warmup',
  '0',
  '--concurrency',
  '1',
  '--latency',
  '0',
  '--max-seconds',
  '5',
  '--skip-bundles',
  '--no-profile',
];

describe.each([
  ['bench/run.ts', 'npm run bench'],
  ['bench/load.ts', 'npm run load'],
])('%s', (script, command) => {
  it('--help (or -h) prints the usage with every flag, exits 0 and runs nothing', async () => {
    const flags = await declaredFlags(script);
    expect(flags.length).toBeGreaterThan(5);
    for (const arg of script === 'bench/load.ts' ? ['--help', '-h'] : ['--help']) {
      const result = run(script, [arg]);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`Usage: ${command} -- [options]`);
      for (const flag of flags.filter((f) => f !== 'no-write')) expect(result.stdout).toContain(`--${flag}`);
      expect(result.stderr).not.toMatch(/local server|load:/);
    }
  }, 30_000);

  it('stops on an unknown flag with one line and a pointer to --help', () => {
    const result = run(script, ['--bogus']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringContaining("Unknown option '--bogus'"),
      `Run \`${command} -- --help\` for the flags.`,
    ]);
  }, 30_000);
});

describe('bench report file', () => {
  const tracked = 'docs/benchmarks.md';
  let original: string;
  let dir: string;
  beforeAll(async () => {
    original = await readFile(tracked, 'utf8');
    dir = await mkdtemp(join(tmpdir(), 'bench-cli-'));
  });
  afterAll(async () => {
    // Never leave the tracked report changed, even when the assertion below failed.
    if ((await readFile(tracked, 'utf8')) !== original) await writeFile(tracked, original);
    await rm(dir, { recursive: true, force: true });
  });

  it('is not written by a plain run', async () => {
    const result = run('bench/run.ts', SMALL);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/POST \/screen overhead p50/);
    expect(result.stderr).toContain('report not written: add --write');
    expect(await readFile(tracked, 'utf8')).toBe(original);
  }, 90_000);

  it('is written to --out when asked, saying how it was made', async () => {
    const out = join(dir, 'report.md');
    const result = run('bench/run.ts', [...SMALL, '--out', out]);
    expect(result.status, result.stderr).toBe(0);
    const report = await readFile(out, 'utf8');
    expect(report).toMatch(/^# Benchmarks\n/);
    expect(report).toContain('Written by `npm run bench -- --write`');
    expect(report).toContain(`--out ${out}`);
    expect(await readFile(tracked, 'utf8')).toBe(original);
  }, 90_000);

  it('refuses --no-write together with --write', () => {
    const result = run('bench/run.ts', ['--write', '--no-write']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--no-write cannot go with --write or --out');
  }, 30_000);
});
