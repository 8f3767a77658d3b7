/**
 * The CLI's surface without a server: `--help` on every command, usage errors as one line with exit 2,
 * `--version`, and `npx signup-gate` itself (failures that say what to do: guidance.test.ts).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../cli/build.js';
import { cliEnv, ensureCliBuilt, runCli } from './run-cli.js';

beforeAll(() => ensureCliBuilt());

const COMMANDS = [
  [],
  ['screen'],
  ['verdicts'],
  ['verdicts', 'list'],
  ['verdicts', 'get'],
  ['review'],
  ['lists'],
  ['lists', 'list'],
  ['lists', 'add'],
  ['lists', 'remove'],
  ['stats'],
  ['policy'],
  ['policy', 'apply'],
  ['policy', 'shadow'],
  ['replay'],
  ['backfill'],
  ['console'],
];

describe.concurrent('--help', () => {
  it.each(COMMANDS.map((c) => [c.join(' ') || '(none)', c]))(
    '%s --help: usage on stdout, exit 0',
    async (_name, command) => {
      const result = await runCli([...(command as string[]), '--help']);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(
        new RegExp(`^Usage: signup-gate${(command as string[]).map((c) => ` ${c}`).join('')} `),
      );
      // The global options (target, --json) are shown on every command.
      expect(result.stdout).toContain('--json');
      expect(result.stdout).toContain('--url <url>');
    },
  );

  it('documents the backfill input and its closing line', async () => {
    const result = await runCli(['backfill', '--help']);
    expect(result.stdout).toContain('--concurrency <n>');
    expect(result.stdout).toContain('--rate <per-second>');
    expect(result.stdout).toContain('--dry-run');
    expect(result.stdout).toContain('backfill: <n> screened, <a> allow, <r> review, <b> block, <e> failed');
  });

  it('console takes --port and --no-open', async () => {
    const result = await runCli(['console', '--help']);
    expect(result.stdout).toMatch(/--port <port>.*\(default: 4000\)/);
    expect(result.stdout).toContain('--no-open');
  });
});

describe.concurrent('usage errors: one line on stderr, exit 2', () => {
  it.each([
    [['nope'], "signup-gate: unknown command 'nope'"],
    [['verdicts', 'list', '--bogus'], "signup-gate: unknown option '--bogus'"],
    [
      ['verdicts', 'list', '--limit', '0'],
      "signup-gate: option '--limit <n>' argument '0' is invalid. expected a whole number from 1 to 100",
    ],
    [
      ['verdicts', 'list', '--since', 'yesterday'],
      "signup-gate: option '--since <when>' argument 'yesterday' is invalid.",
    ],
    [
      ['verdicts', 'list', '--decision', 'maybe'],
      "signup-gate: option '--decision <decision>' argument 'maybe' is invalid.",
    ],
    [['verdicts', 'get'], "signup-gate: missing required argument 'id'"],
    [
      ['review', '01JDX3K8Y0Q5W6Z8N2M4P6R8T0', 'maybe'],
      "signup-gate: command-argument value 'maybe' is invalid for argument 'outcome'.",
    ],
    [
      ['review', '01JDX3K8Y0Q5W6Z8N2M4P6R8T0', 'approve', '--note', 'x'.repeat(501)],
      'signup-gate: --note: at most 500 characters',
    ],
    [['lists', 'add', 'block', 'email'], "signup-gate: missing required argument 'value'"],
    [
      ['lists', 'add', 'maybe', 'email', 'a@b.co'],
      "signup-gate: command-argument value 'maybe' is invalid for argument 'action'.",
    ],
    [['stats', '--bucket', 'week'], "signup-gate: option '--bucket <size>' argument 'week' is invalid."],
    [['replay'], "signup-gate: required option '--policy <file>' not specified"],
    [['screen'], 'signup-gate: screen needs --email or --phone (or both)'],
    [
      ['screen', '--email', 'a@b.co', '--idempotency-key', 'has space'],
      'signup-gate: --idempotency-key: 1 to 255 characters',
    ],
    [['backfill', 'users.txt'], 'signup-gate: cannot tell the format of users.txt from its name'],
    [
      ['backfill', 'users.csv', '--concurrency', '0'],
      "signup-gate: option '--concurrency <n>' argument '0' is invalid.",
    ],
    [
      ['backfill', 'users.csv', '--rate', '-1'],
      "signup-gate: option '--rate <per-second>' argument '-1' is invalid.",
    ],
    [['--url', 'ftp://x', 'stats'], 'signup-gate: --url: not an http(s) URL'],
    [
      ['--url', 'http://127.0.0.1:3000', '--stack', 'SignupGate', 'stats'],
      'signup-gate: --url and --stack cannot be used together',
    ],
    [['--auth', 'basic', 'stats'], "signup-gate: option '--auth <mode>' argument 'basic' is invalid."],
  ])('%j', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(message)).toBe(true);
    expect(result.stderr.endsWith('\n')).toBe(true);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a command group without its subcommand, or no command at all, shows help and exits 2', async () => {
    for (const args of [[], ['verdicts'], ['lists']]) {
      const result = await runCli(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^Usage: signup-gate/);
    }
  });
});

describe('failures: one line on stderr, exit 1', () => {
  it('--version prints the package version', async () => {
    const result = await runCli(['--version']);
    expect(result).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });
});

describe('npx signup-gate', () => {
  it('runs the linked bin of the local package (no download)', async () => {
    const { stdout } = await promisify(execFile)('npx', ['--no-install', 'signup-gate', '--help'], {
      cwd: ROOT,
      env: { ...cliEnv(), npm_config_update_notifier: 'false' },
    });
    expect(stdout).toMatch(/^Usage: signup-gate \[options\] \[command\]/);
  });
});
