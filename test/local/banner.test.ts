/**
 * The `npm start` banner: it always shows the Defastra URL, says plainly whether checks are real, lists active
 * sandbox faults and variables that do nothing; and the variables `npm run sandbox` prints really point the
 * app at that sandbox.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { bannerLines, defastraLine } from '../../local/banner.js';
import type { LocalServer } from '../../local/server.js';
import type { Verdict } from '../../shared/core/verdict.js';
import { startSandbox } from '../../shared/defastra/sandbox/index.js';
import { startTestServer } from '../helpers/local-server.js';

const info = (over: Partial<LocalServer['info']> = {}): LocalServer['info'] => ({
  mode: 'sandbox',
  defastraUrl: 'http://127.0.0.1:41234',
  sandboxFaults: [],
  ignored: [],
  dataDir: '/tmp/data',
  store: 'embedded dynalite',
  secretsFile: '/tmp/data/dev-secrets.json',
  policy: '/tmp/policy.json',
  eventsFile: '/tmp/data/events.jsonl',
  ...over,
});
const banner = (over: Partial<LocalServer['info']> = {}) =>
  bannerLines({ url: 'http://127.0.0.1:3000', info: info(over) }).join('\n');

describe('the Defastra line', () => {
  it('names the built-in sandbox and its URL, and says no real check is made', () => {
    const line = defastraLine(info());
    expect(line).toContain('built-in sandbox at http://127.0.0.1:41234');
    expect(line).toContain('no real checks');
    expect(line).not.toMatch(/live api/i);
  });

  it.each(['https://api.defastra.com', 'https://api.defastra.com/', 'https://api.defastra.com:443'])(
    'says LIVE and billed for the real API (%s)',
    (url) => {
      const line = defastraLine(info({ mode: 'live', defastraUrl: url }));
      expect(line).toContain(`LIVE API at ${url}`);
      expect(line).toContain('billed');
    },
  );

  it.each(['http://127.0.0.1:4010', 'http://localhost:4010', 'http://[::1]:4010'])(
    'says a key with a local URL (%s) is not the live API',
    (url) => {
      const line = defastraLine(info({ mode: 'live', defastraUrl: url }));
      expect(line).toContain(url);
      expect(line).toContain('not the live API');
      expect(line).toContain('npm run sandbox');
      expect(line).not.toMatch(/LIVE|billed/);
    },
  );

  it('says another remote URL is not the default live API, naming both', () => {
    const line = defastraLine(info({ mode: 'live', defastraUrl: 'https://defastra.staging.example' }));
    expect(line).toContain('https://defastra.staging.example');
    expect(line).toContain('not the live API https://api.defastra.com');
    expect(line).not.toMatch(/LIVE|billed/);
  });
});

describe('the banner', () => {
  it('lists faults and ignored variables only when there are some', () => {
    expect(banner()).not.toMatch(/faults:|ignored:/);
    const text = banner({
      sandboxFaults: ['latency 3000 ms', 'HTTP 503 (every request)'],
      ignored: ['X (why)'],
    });
    expect(text).toContain('  faults:   latency 3000 ms, HTTP 503 (every request)\n');
    expect(text).toContain('  ignored:  X (why)\n');
  });

  it('says how to stop the server', () => {
    expect(banner()).toMatch(/stop: +Ctrl-C/);
  });
});

describe('the banner of a real local server', () => {
  it('shows SANDBOX_* faults that the built-in sandbox really applies', async () => {
    const server = await startTestServer({
      env: { SANDBOX_LATENCY_MS: '3000', SANDBOX_ERROR_TYPE: 'system_error', SANDBOX_ERROR_COUNT: '2' },
    });
    try {
      expect(server.server.info.sandboxFaults).toEqual([
        'latency 3000 ms',
        'error SYSTEM_ERROR (next 2 requests)',
      ]);
      expect(server.sandbox.faults()).toMatchObject({
        latencyMs: 3000,
        errorType: 'SYSTEM_ERROR',
        errorCount: 2,
      });
      expect(bannerLines(server.server)).toContain(
        '  faults:   latency 3000 ms, error SYSTEM_ERROR (next 2 requests)',
      );
    } finally {
      await server.close();
    }
  });

  it('has no faults line without SANDBOX_* variables, and shows the sandbox URL it calls', async () => {
    const server = await startTestServer();
    try {
      const lines = bannerLines(server.server);
      expect(lines.some((line) => line.includes('faults:'))).toBe(false);
      expect(lines[1]).toContain(`built-in sandbox at ${server.sandbox.url}`);
    } finally {
      await server.close();
    }
  });

  it('says DEFASTRA_BASE_URL alone is ignored (the built-in sandbox is used)', async () => {
    const server = await startTestServer({ env: { DEFASTRA_BASE_URL: 'http://127.0.0.1:4010' } });
    try {
      expect(server.server.info.mode).toBe('sandbox');
      const text = bannerLines(server.server).join('\n');
      expect(text).toContain('ignored:  DEFASTRA_BASE_URL (used only with DEFASTRA_API_KEY)');
      expect(text).toContain(`built-in sandbox at ${server.sandbox.url}`);
    } finally {
      await server.close();
    }
  });

  it('with a key and a local URL: calls that URL, says it is not the live API, and ignores SANDBOX_*', async () => {
    const external = await startSandbox({ apiKeys: ['banner-key'] });
    const server = await startTestServer({
      env: { DEFASTRA_BASE_URL: external.url, DEFASTRA_API_KEY: 'banner-key', SANDBOX_LATENCY_MS: '3000' },
    });
    try {
      const text = bannerLines(server.server).join('\n');
      expect(text).toContain(`Defastra: ${external.url} from DEFASTRA_BASE_URL`);
      expect(text).toContain('not the live API');
      expect(text).not.toMatch(/LIVE|billed|faults:/);
      expect(text).toContain('ignored:  SANDBOX_LATENCY_MS (only the built-in sandbox reads it)');
      const res = await fetch(`${server.url}/screen`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.apiToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'banner+high@example.com' }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as Verdict).email?.risk_level).toBe('high');
      expect(external.stats().byEndpoint.email).toBe(1);
    } finally {
      await server.close();
      await external.close();
    }
  });
});

describe('npm run sandbox', () => {
  let sandbox: ChildProcess | undefined;
  afterAll(() => {
    // Detached: its process group holds npm, its shell and the sandbox; end them all.
    if (sandbox?.pid) {
      try {
        process.kill(-sandbox.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });

  it('prints both variables, and with exactly those the app calls that sandbox', async () => {
    let out = '';
    sandbox = spawn('npm', ['run', 'sandbox'], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SANDBOX_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    sandbox.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    sandbox.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const pattern = /^ {2}DEFASTRA_BASE_URL=(\S+) DEFASTRA_API_KEY=(\S+) npm start$/m;
    const until = Date.now() + 30_000;
    while (!pattern.test(out)) {
      if (Date.now() > until || sandbox.exitCode !== null) throw new Error(`no variables printed:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const [, baseUrl, apiKey] = pattern.exec(out)!;
    expect(out).toMatch(/both variables/);

    const server = await startTestServer({ env: { DEFASTRA_BASE_URL: baseUrl, DEFASTRA_API_KEY: apiKey } });
    try {
      expect(server.server.info).toMatchObject({ mode: 'live', defastraUrl: baseUrl });
      expect(server.server.sandbox).toBeUndefined();
      expect(bannerLines(server.server)[1]).toContain(`${baseUrl} from DEFASTRA_BASE_URL`);
      const res = await fetch(`${server.url}/screen`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.apiToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'npm-sandbox+medium@example.com' }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as Verdict).email?.risk_level).toBe('medium');
      // The request reached the sandbox process (it logs one line per request, never the identifier).
      await expect.poll(() => out, { timeout: 5_000 }).toMatch(/\[sandbox\] POST \S*email/);
      expect(out).not.toContain('npm-sandbox');
    } finally {
      await server.close();
    }
  }, 60_000);
});
