/**
 * CLI failures that say what to do, each on one line with exit 1: an unreachable local API asks whether
 * `npm start` runs; a refused token says where the CLI read it and where the server's lives; no token at
 * all names the folders searched and how to run the CLI inside the project; and `npm run cli --` works from
 * any folder, reading the user's relative paths from there.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../cli/build.js';
import { readLocalToken } from '../../cli/local-token.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { cliEnv, ensureCliBuilt, runCli } from './run-cli.js';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  [server] = await Promise.all([startTestServer(), ensureCliBuilt()]);
  dir = await mkdtemp(join(tmpdir(), 'signup-gate-guidance-'));
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A port that was free a moment ago: nothing listens there. */
const freePort = async (): Promise<number> => {
  const probe = createServer();
  const port = await new Promise<number>((resolve) =>
    probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)),
  );
  await new Promise((resolve) => probe.close(resolve));
  return port;
};

const oneLine = (stderr: string): string => {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trim().split('\n')).toHaveLength(1);
  return stderr.trim();
};

describe('an unreachable local API', () => {
  it('names the URL and asks whether npm start is running', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await runCli(['verdicts', 'list', '--url', url], {
      env: cliEnv({ API_TOKEN: 'sg_dev_x' }),
    });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toBe(
      `signup-gate: cannot reach ${url} (ECONNREFUSED): is \`npm start\` running? Start it in the signup-gate project, or point --url at your server`,
    );
  });
});

describe('a refused bearer token', () => {
  it('read from DATA_DIR/dev-secrets.json: names that file and where the server keeps its own', async () => {
    const other = join(dir, 'other-data');
    await mkdir(other, { recursive: true });
    await writeFile(join(other, 'dev-secrets.json'), JSON.stringify({ api_token: 'sg_dev_not_this_one' }));
    const result = await runCli(['--url', server.url, 'stats'], { env: cliEnv({ DATA_DIR: other }) });
    expect(result.code).toBe(1);
    const line = oneLine(result.stderr);
    expect(line).toMatch(/^signup-gate: 401 unauthorized: missing or invalid bearer token \(/);
    expect(line).toContain(`the token came from ${join(other, 'dev-secrets.json')}`);
    expect(line).toContain(
      'API_TOKEN, else api_token in its DATA_DIR/dev-secrets.json, DATA_DIR being .data by default',
    );
    expect(line).toContain('give the CLI the DATA_DIR or API_TOKEN npm start uses');
    expect(line).not.toContain('sg_dev_not_this_one');
  });

  it('from API_TOKEN: says API_TOKEN was refused and where the server reads its token', async () => {
    const result = await runCli(['--url', server.url, 'stats'], {
      env: cliEnv({ API_TOKEN: 'sg_dev_wrong' }),
    });
    expect(result.code).toBe(1);
    const line = oneLine(result.stderr);
    expect(line).toContain(
      '(API_TOKEN was refused: the server accepts its API_TOKEN, else api_token in its DATA_DIR',
    );
    expect(line).not.toContain('sg_dev_wrong');
  });
});

describe('no token at all', () => {
  it('outside a project: names the folder searched and says to run the CLI inside the project', async () => {
    const empty = await mkdtemp(join(dir, 'empty-'));
    const attempt = readLocalToken({}, { cwd: empty, projectRoot: Promise.resolve(undefined) });
    await expect(attempt).rejects.toThrow(
      `no API token: API_TOKEN is not set and there is no ${join(empty, '.data', 'dev-secrets.json')}: start the local server in the signup-gate project (npm start) and run the CLI inside that project (npx signup-gate …, or npm run cli -- … from any of its folders), or set API_TOKEN`,
    );
  });

  it("in a folder of the project without .data: finds the project's own .data/dev-secrets.json", async () => {
    const project = await mkdtemp(join(dir, 'project-'));
    await mkdir(join(project, '.data'));
    await writeFile(join(project, '.data', 'dev-secrets.json'), JSON.stringify({ api_token: 'sg_dev_root' }));
    const sub = join(project, 'imports');
    await mkdir(sub);
    expect(await readLocalToken({}, { cwd: sub, projectRoot: Promise.resolve(project) })).toEqual({
      token: 'sg_dev_root',
      from: join(project, '.data', 'dev-secrets.json'),
    });
    // An explicit DATA_DIR is read relative to where the command runs, and only there.
    await expect(readLocalToken({ DATA_DIR: 'elsewhere' }, { cwd: sub })).rejects.toThrow(
      `${join(sub, 'elsewhere', 'dev-secrets.json')} cannot be read (ENOENT): is DATA_DIR the one npm start uses? Or set API_TOKEN`,
    );
  });

  it('the built CLI says the same in one line, naming both folders it searched', async () => {
    const empty = await mkdtemp(join(dir, 'cwd-'));
    const result = await runCli(['stats'], { cwd: empty });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toContain(
      `there is no ${join(empty, '.data', 'dev-secrets.json')} nor ${join(ROOT, '.data', 'dev-secrets.json')}: start the local server`,
    );
  });
});

describe('npm run cli --', () => {
  it('works from outside the project (npm --prefix) and reads relative paths from where it was typed', async () => {
    const here = await mkdtemp(join(dir, 'typed-in-'));
    await writeFile(join(here, 'users.csv'), 'email,phone\na@example.com,\nb@example.com,+33600000001\n');
    const { stdout } = await promisify(execFile)(
      'npm',
      ['--prefix', ROOT, 'run', '-s', 'cli', '--', 'backfill', 'users.csv', '--dry-run', '--json'],
      { cwd: here, env: { ...cliEnv(), npm_config_update_notifier: 'false' } },
    );
    expect(JSON.parse(stdout)).toMatchObject({ file: 'users.csv', rows: 2, to_screen: 2 });
  });
});
