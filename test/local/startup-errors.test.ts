/**
 * `npm start` failures that say what to do, in one plain line: a bad PORT names PORT and what it accepts
 * (never the validator's own words); a port already taken names it and the PORT= to set instead.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, listenFailureLine, loadLocalConfig, parsePort } from '../../shared/config/local.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'signup-gate-startup-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('PORT', () => {
  it.each(['abc', '3.5', '-1', '70000', '30 00', '0x10'])(
    'PORT=%s: one plain line naming PORT and what it accepts',
    (value) => {
      expect(() => parsePort(value)).toThrow(ConfigError);
      expect(() => loadLocalConfig({ PORT: value })).toThrow(
        `PORT=${JSON.stringify(value)} is not a port: use a whole number from 1 to 65535 (0 picks a free port), e.g. PORT=3001 npm start`,
      );
      expect(() => loadLocalConfig({ PORT: value })).not.toThrow(/expected|Invalid input|received/);
    },
  );

  it('takes 0 to 65535; unset or empty means 3000', () => {
    expect(loadLocalConfig({ PORT: '0' }).port).toBe(0);
    expect(loadLocalConfig({ PORT: '65535' }).port).toBe(65_535);
    expect(loadLocalConfig({ PORT: ' 8080 ' }).port).toBe(8080);
    expect(loadLocalConfig({}).port).toBe(3000);
    expect(loadLocalConfig({ PORT: '' }).port).toBe(3000);
  });

  it('cuts a long value short in the message', () => {
    expect(() => parsePort('x'.repeat(100))).toThrow(`PORT="${'x'.repeat(40)}…" is not a port`);
  });
});

describe('a port already taken', () => {
  it('listenFailureLine names the address and the PORT= to use instead', () => {
    const busy = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:3000'), {
      code: 'EADDRINUSE',
    });
    expect(listenFailureLine(busy, { host: '127.0.0.1', port: 3000 })).toBe(
      '127.0.0.1:3000 is already in use (another npm start?): stop it, or choose another port, e.g. PORT=3001 npm start',
    );
    expect(listenFailureLine(new Error('something else'), { host: '127.0.0.1', port: 3000 })).toBeUndefined();
  });

  it('npm start on a taken port ends with that one line and exit 1', async () => {
    const holder = createServer();
    const port = await new Promise<number>((resolve) =>
      holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)),
    );
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], {
        cwd: process.cwd(),
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          HOST: '127.0.0.1',
          PORT: String(port),
          DATA_DIR: dataDir,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(out).toBe(
        `signup-gate: 127.0.0.1:${port} is already in use (another npm start?): stop it, or choose another port, e.g. PORT=${port + 1} npm start\n`,
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 60_000);
});
