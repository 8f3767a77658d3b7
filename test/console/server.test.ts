/**
 * The console server over plain HTTP, against a real local server: one-time login codes (reused, stale,
 * unknown), the session cookie, 401 without a session (assets included), CSRF on state-changing calls, the
 * security headers, the forwarding allowlist, upstream failures, and the loopback-only listener.
 */
import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBearerTarget } from '../../cli/bearer-target.js';
import { CSRF_HEADER } from '../../cli/console/app.js';
import { runConsole } from '../../cli/console/run.js';
import { startConsoleServer } from '../../cli/console/server.js';
import { LOGIN_CODE_TTL_MS } from '../../cli/console/sessions.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { buildAssets, type ConsoleHarness, screen, startConsole } from './support.js';

let server: TestServer;
let assets: Awaited<ReturnType<typeof buildAssets>>;
let harness: ConsoleHarness;
let verdictId: string;

beforeAll(async () => {
  [server, assets] = await Promise.all([startTestServer(), buildAssets()]);
  harness = await startConsole(server, assets.dir);
  verdictId = (await screen(server, { email: 'x+medium@example.com' })).verdict_id;
});

afterAll(async () => {
  await harness?.close();
  await server?.close();
  await assets?.remove();
});

const base = () => harness.console.url;
const port = () => new URL(base()).port;
const cookieName = () => `__Host-sg_console_${port()}`;

/** GET without following redirects. */
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${base()}${path}`, { headers, redirect: 'manual' });

/** Logs in with a fresh code and returns the session cookie header and the CSRF token. */
const login = async (): Promise<{ cookie: string; csrf: string }> => {
  const response = await fetch(harness.console.loginUrl(), { redirect: 'manual' });
  expect(response.status).toBe(303);
  const setCookie = response.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const session = await get('/api/session', { cookie });
  expect(session.status).toBe(200);
  const { csrf_token } = (await session.json()) as { csrf_token: string };
  return { cookie, csrf: csrf_token };
};

const expectSecurityHeaders = (response: Response) => {
  const csp = response.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
};

describe('one-time login', () => {
  it('a fresh code sets an HttpOnly, SameSite=Strict session cookie and redirects to the page', async () => {
    const response = await fetch(harness.console.loginUrl(), { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(new RegExp(`^${cookieName()}=[A-Za-z0-9_-]{43};`));
    expect(setCookie).toMatch(/;\s*Secure/i);
    expect(setCookie).not.toMatch(/;\s*Domain=/i);
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*SameSite=Strict/i);
    expect(setCookie).toMatch(/;\s*Path=\//i);
    expectSecurityHeaders(response);
    const page = await get('/', { cookie: setCookie.split(';')[0]! });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/assets/app.js');
  });

  it('binds the session to this console: a __Host- cookie named after its port, refused from any other page (audit L7)', async () => {
    const { cookie } = await login();
    expect(cookie.startsWith(`__Host-sg_console_${port()}=`)).toBe(true);
    // The browser sends the cookie to every port of 127.0.0.1: a page of another local server (same site, another
    // origin) that makes the browser read the console's API gets nothing, even a GET.
    const elsewhere = 'http://127.0.0.1:3000';
    const foreign: Array<Record<string, string>> = [
      { origin: elsewhere },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: elsewhere, 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of foreign) {
      const read = await get(`/api/verdicts/${verdictId}`, { cookie, ...headers });
      expect(read.status, JSON.stringify(headers)).toBe(403);
      expect(await read.text()).not.toContain(verdictId);
      expect((await get('/', { cookie, ...headers })).status, JSON.stringify(headers)).toBe(403);
    }
    // Its own page, and an address typed in the bar, are served.
    expect(
      (await get(`/api/verdicts/${verdictId}`, { cookie, 'sec-fetch-site': 'same-origin' })).status,
    ).toBe(200);
    expect((await get('/', { cookie, 'sec-fetch-site': 'none' })).status).toBe(200);
    expect((await get('/api/session', { cookie, origin: base() })).status).toBe(200);
    // The same value under the old, port-less or unprefixed name is no session.
    const value = cookie.slice(cookie.indexOf('=') + 1);
    expect((await get('/api/session', { cookie: `sg_console_${port()}=${value}` })).status).toBe(401);
  });

  it('refuses a code used once already', async () => {
    const url = harness.console.loginUrl();
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(303);
    const again = await fetch(url, { redirect: 'manual' });
    expect(again.status).toBe(401);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await again.text()).toContain('not valid');
  });

  it('a browser that already has a session and reopens its spent link goes back to the page, with no new session', async () => {
    const url = harness.console.loginUrl();
    const first = await fetch(url, { redirect: 'manual' });
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
    const again = await fetch(url, { redirect: 'manual', headers: { cookie } });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe('/');
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a code older than 10 minutes, and accepts one just younger', async () => {
    const young = harness.console.loginUrl();
    harness.advance(LOGIN_CODE_TTL_MS - 1000);
    expect((await fetch(young, { redirect: 'manual' })).status).toBe(303);
    const stale = harness.console.loginUrl();
    harness.advance(LOGIN_CODE_TTL_MS + 1);
    const response = await fetch(stale, { redirect: 'manual' });
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('refuses an unknown, empty or missing code', async () => {
    for (const path of ['/login?code=not-a-code', '/login?code=', '/login']) {
      const response = await get(path);
      expect(response.status, path).toBe(401);
      expectSecurityHeaders(response);
    }
  });

  it('a stale code is spent: presenting it again later is refused too', async () => {
    const url = harness.console.loginUrl();
    harness.advance(LOGIN_CODE_TTL_MS);
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(401);
  });

  it('a code presented under a foreign Host (DNS rebinding) is refused and not spent', async () => {
    const url = new URL(harness.console.loginUrl());
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: url.port,
          path: `${url.pathname}${url.search}`,
          headers: { host: `evil.example:${url.port}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(401);
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(303);
  });
});

describe('without a session', () => {
  it('every console route answers 401, the script included, and nothing is forwarded', async () => {
    const before = harness.target.forwarded.length;
    const paths = [
      '/',
      '/assets/app.js',
      '/assets/app.js.map',
      '/api/session',
      '/api/verdicts',
      '/api/stats',
      '/nowhere',
    ];
    for (const path of paths) {
      const response = await get(path);
      expect(response.status, path).toBe(401);
      expectSecurityHeaders(response);
    }
    const bogus = await get('/api/verdicts', { cookie: `${cookieName()}=forged-session-id` });
    expect(bogus.status).toBe(401);
    const post = await fetch(`${base()}/api/lists`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'email', value: 'a@example.com', action: 'block' }),
    });
    expect(post.status).toBe(401);
    expect(await post.json()).toEqual({ error: { code: 'unauthorized', message: 'no console session' } });
    expect(harness.target.forwarded.length).toBe(before);
  });

  it('serves the stylesheet and the icon, which the refusal pages use and which hold no data', async () => {
    for (const [path, type] of [
      ['/assets/app.css', 'text/css'],
      ['/assets/favicon.svg', 'image/svg+xml'],
    ] as const) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toContain(type);
      expectSecurityHeaders(response);
    }
    const refusal = await get('/login?code=nope');
    expect(refusal.status).toBe(401);
    const html = await refusal.text();
    expect(html).toContain('<link rel="stylesheet" href="/assets/app.css">');
    expect(html).toContain('<meta name="viewport"');
    expect(html).not.toContain('<script');
  });

  it('a session expires after its lifetime', async () => {
    const { cookie } = await login();
    harness.advance(12 * 60 * 60_000 + 1);
    expect((await get('/api/session', { cookie })).status).toBe(401);
  });
});

describe('with a session', () => {
  it('serves the page and its assets with the right types and the security headers', async () => {
    const { cookie } = await login();
    for (const [path, type] of [
      ['/', 'text/html'],
      ['/assets/app.js', 'text/javascript'],
      ['/assets/app.css', 'text/css'],
      ['/assets/favicon.svg', 'image/svg+xml'],
    ] as const) {
      const response = await get(path, { cookie });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toContain(type);
      expectSecurityHeaders(response);
    }
    expect((await get('/assets/..%2Fpackage.json', { cookie })).status).toBe(404);
    expect((await get('/assets/missing.js', { cookie })).status).toBe(404);
  });

  it('tells the page its CSRF token and the target, never the target credential', async () => {
    const { cookie } = await login();
    const body = await (await get('/api/session', { cookie })).text();
    expect(JSON.parse(body)).toMatchObject({ target: { url: server.url, auth: 'bearer' } });
    expect(body).not.toContain(server.apiToken);
  });

  it('forwards GET /verdicts with its query through the target and returns the API answer', async () => {
    const { cookie } = await login();
    const response = await get('/api/verdicts?limit=1', { cookie });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { items: Array<{ verdict_id: string }> };
    expect(page.items[0]?.verdict_id).toBe(verdictId);
    expect(harness.target.forwarded.at(-1)).toBe('GET /verdicts?limit=1');
    const one = await get(`/api/verdicts/${verdictId}`, { cookie });
    expect(((await one.json()) as { verdict_id: string }).verdict_id).toBe(verdictId);
    const bad = await get('/api/verdicts?limit=0', { cookie });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('does not forward routes the console does not use', async () => {
    const { cookie, csrf } = await login();
    const before = harness.target.forwarded.length;
    const screenCall = await fetch(`${base()}/api/screen`, {
      method: 'POST',
      headers: {
        cookie,
        [CSRF_HEADER]: csrf,
        'content-type': 'application/json',
        'sec-fetch-site': 'same-origin',
      },
      body: JSON.stringify({ email: 'a@example.com' }),
    });
    expect(screenCall.status).toBe(404);
    expect((await get('/api/hooks/auth0', { cookie })).status).toBe(404);
    expect((await get('/api/health', { cookie })).status).toBe(404);
    expect((await get('/api/verdicts/%2E%2E%2Fscreen', { cookie })).status).toBe(404);
    const wrongMethod = await fetch(`${base()}/api/verdicts/${verdictId}`, {
      method: 'DELETE',
      headers: { cookie, [CSRF_HEADER]: csrf },
    });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    expect(harness.target.forwarded.length).toBe(before);
  });

  it('refuses a request naming a foreign Host even with a valid session', async () => {
    const { cookie } = await login();
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: port(), path: '/api/verdicts', headers: { host: 'evil.example', cookie } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('logout ends the session', async () => {
    const { cookie, csrf } = await login();
    const out = await fetch(`${base()}/api/logout`, {
      method: 'POST',
      headers: { cookie, [CSRF_HEADER]: csrf },
    });
    expect(out.status).toBe(204);
    expect((await get('/api/session', { cookie })).status).toBe(401);
  });
});

describe('CSRF', () => {
  const review = (headers: Record<string, string>, body = '{"outcome":"approve"}') =>
    fetch(`${base()}/api/verdicts/${verdictId}/review`, { method: 'POST', headers, body });

  it('refuses a state-changing call without the token, with a wrong one, or from another site', async () => {
    const { cookie, csrf } = await login();
    const json = { cookie, 'content-type': 'application/json' };
    const before = harness.target.forwarded.length;
    const cases: Array<[string, Record<string, string>]> = [
      ['no token', json],
      ['empty token', { ...json, [CSRF_HEADER]: '' }],
      ['wrong token', { ...json, [CSRF_HEADER]: `${csrf.slice(0, -1)}x` }],
      ['cross-site fetch', { ...json, [CSRF_HEADER]: csrf, 'sec-fetch-site': 'cross-site' }],
      ['same-site fetch', { ...json, [CSRF_HEADER]: csrf, 'sec-fetch-site': 'same-site' }],
      ['foreign origin', { ...json, [CSRF_HEADER]: csrf, origin: 'http://evil.example' }],
    ];
    for (const [name, headers] of cases) {
      const response = await review(headers);
      expect(response.status, name).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code, name).toBe('csrf_failed');
    }
    const del = await fetch(`${base()}/api/lists/01JDX3K8Y0Q5W6Z8N2M4P6R8T0`, {
      method: 'DELETE',
      headers: { cookie },
    });
    expect(del.status).toBe(403);
    expect(harness.target.forwarded.length).toBe(before);
    const other = await login();
    expect((await review({ ...json, [CSRF_HEADER]: other.csrf })).status, "another session's token").toBe(
      403,
    );
  });

  it('forwards the call once the token matches (same origin)', async () => {
    const { cookie, csrf } = await login();
    const response = await review({
      cookie,
      'content-type': 'application/json',
      [CSRF_HEADER]: csrf,
      origin: base(),
      'sec-fetch-site': 'same-origin',
    });
    expect(harness.target.forwarded.at(-1)).toBe(`POST /verdicts/${verdictId}/review`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { review: { outcome: string } }).review.outcome).toBe('approve');
  });

  it('refuses a body that is not JSON (415) or over 256 KiB (413), before forwarding', async () => {
    const { cookie, csrf } = await login();
    const before = harness.target.forwarded.length;
    const text = await review({ cookie, [CSRF_HEADER]: csrf, 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    const big = await review(
      { cookie, [CSRF_HEADER]: csrf, 'content-type': 'application/json' },
      JSON.stringify({ outcome: 'approve', note: 'x'.repeat(300 * 1024) }),
    );
    expect(big.status).toBe(413);
    expect(harness.target.forwarded.length).toBe(before);
  });
});

describe('the target', () => {
  it('an API that refuses the console credentials gives 502, not the console 401', async () => {
    const wrong = await startConsoleServer({
      target: createBearerTarget(server.url, 'not-the-token'),
      port: 0,
      assetsDir: assets.dir,
    });
    try {
      const login = await fetch(wrong.loginUrl(), { redirect: 'manual' });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const response = await fetch(`${wrong.url}/api/verdicts`, { headers: { cookie } });
      expect(response.status).toBe(502);
      const body = await response.text();
      expect(JSON.parse(body).error.code).toBe('upstream_unauthorized');
      expect(body).not.toContain('not-the-token');
    } finally {
      await wrong.close();
    }
  });

  it('an API that does not answer gives 502 upstream_unavailable', async () => {
    const down = await startConsoleServer({
      target: createBearerTarget('http://127.0.0.1:9', server.apiToken),
      port: 0,
      assetsDir: assets.dir,
    });
    try {
      const login = await fetch(down.loginUrl(), { redirect: 'manual' });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const response = await fetch(`${down.url}/api/stats`, { headers: { cookie } });
      expect(response.status).toBe(502);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'upstream_unavailable',
      );
    } finally {
      await down.close();
    }
  });
});

describe('the listener', () => {
  it('listens on 127.0.0.1 only', async () => {
    expect(new URL(base()).hostname).toBe('127.0.0.1');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!external) return; // no other interface on this machine: nothing else to try
    const refused = await fetch(`http://${external.address}:${port()}/`).then(
      () => false,
      () => true,
    );
    expect(refused).toBe(true);
  });

  it('names a taken port in its error', async () => {
    await expect(
      startConsoleServer({
        target: createBearerTarget(server.url, 't'),
        port: Number(port()),
        assetsDir: assets.dir,
      }),
    ).rejects.toThrow(`port ${port()} on 127.0.0.1 is already in use`);
  });

  it('refuses to start without a built page', async () => {
    await expect(
      startConsoleServer({ target: createBearerTarget(server.url, 't'), port: 0, assetsDir: '/nonexistent' }),
    ).rejects.toThrow('npm run build');
  });
});

describe('runConsole', () => {
  it('prints a working one-time login link and stops on its signal', async () => {
    const lines: string[] = [];
    const controller = new AbortController();
    const running = runConsole({
      target: createBearerTarget(server.url, server.apiToken),
      port: 0,
      open: false,
      log: (line) => lines.push(line),
      assetsDir: assets.dir,
      signal: controller.signal,
    });
    const settled = running.catch((error: unknown) => error);
    await expect.poll(() => lines.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toContain(`for the API at ${server.url} (bearer token)`);
    const url = /(http:\/\/127\.0\.0\.1:\d+\/login\?code=[A-Za-z0-9_-]+)/.exec(lines[1] ?? '')?.[1];
    expect(url).toBeDefined();
    expect(lines.join('\n')).not.toContain(server.apiToken);
    expect((await fetch(url!, { redirect: 'manual' })).status).toBe(303);
    controller.abort(new Error('test over'));
    expect(await settled).toEqual(new Error('test over'));
    await expect(fetch(url!)).rejects.toThrow();
  });
});
