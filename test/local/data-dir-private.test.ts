/**
 * DATA_DIR is private (audit L8): under a permissive umask (022), with a data folder an earlier version left 0755
 * with a 0644 file, the local server leaves every folder 0700 and every file 0600 — the embedded store's LevelDB
 * files, the development secrets and the events file — while it runs and after it stops.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer } from '../../local/server.js';
import { loadLocalConfig } from '../../shared/config/local.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';

/** Every entry under `dir` with its permission bits, `dir` itself included. */
const modes = async (dir: string): Promise<string[]> => {
  const out = [`. ${((await stat(dir)).mode & 0o777).toString(8)}`];
  for (const name of (await readdir(dir, { recursive: true })) as string[]) {
    const info = await stat(join(dir, name));
    out.push(`${name} ${(info.mode & 0o777).toString(8)}${info.isDirectory() ? '/' : ''}`);
  }
  return out;
};

const privateOnly = (entries: string[]) =>
  entries.filter((entry) => !(entry.endsWith(' 700/') || entry.endsWith(' 600') || entry === '. 700'));

let root: string;
let previousUmask: number;
beforeAll(async () => {
  previousUmask = process.umask(0o022);
  root = await mkdtemp(join(tmpdir(), 'signup-gate-private-'));
});
afterAll(async () => {
  process.umask(previousUmask);
  await rm(root, { recursive: true, force: true });
});

describe('DATA_DIR permissions', () => {
  it('folders 0700 and files 0600, whatever the umask, while running and after', async () => {
    const dataDir = join(root, 'data');
    await mkdir(join(dataDir, 'old'), { recursive: true, mode: 0o755 });
    await chmod(dataDir, 0o755);
    await writeFile(join(dataDir, 'old', 'left-by-an-earlier-version.json'), '{}', { mode: 0o644 });
    const policyFile = join(root, 'policy.json');
    await writeFile(policyFile, '{}');
    const env = { HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, POLICY_FILE: policyFile };
    const server = await startLocalServer(loadLocalConfig(env), silentTelemetry, env);
    try {
      const secrets = JSON.parse(await readFile(join(dataDir, 'dev-secrets.json'), 'utf8'));
      const token = (secrets as { api_token: string }).api_token;
      const res = await fetch(`${server.url}/screen`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'private+high@example.com' }),
      });
      expect(res.status).toBe(200);
      await server.events.drain();
      const running = await modes(dataDir);
      expect(running.some((entry) => entry.startsWith('dynamodb/'))).toBe(true);
      expect(running.some((entry) => entry.startsWith('events.jsonl'))).toBe(true);
      expect(privateOnly(running)).toEqual([]);
    } finally {
      await server.close();
    }
    expect(privateOnly(await modes(dataDir))).toEqual([]);
    // The process umask is given back once the server is gone.
    expect(process.umask()).toBe(0o022);
  });
});
