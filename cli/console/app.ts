/**
 * The console's HTTP app: one-time login, session cookie, the page's files, and the API forwarded with the
 * target's auth. Every response carries the security headers; without a valid session everything is `401`.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import type { ApiTarget } from '../target.js';
import type { Asset, AssetSource } from './assets.js';
import { securityHeaders } from './headers.js';
import { forward, matchRoute } from './proxy.js';
import { type Session, SessionStore } from './sessions.js';

/** The header the page sends its CSRF token in. */
export const CSRF_HEADER = 'X-CSRF-Token';
/** The API's own body limit (docs/api.md). */
const MAX_BODY_BYTES = 256 * 1024;

export interface ConsoleAppOptions {
  target: ApiTarget;
  assets: AssetSource;
  sessions: SessionStore;
  /** This server's origin, e.g. `http://127.0.0.1:4000`, known once it listens. */
  origin: () => string;
}

type Env = { Variables: { session: Session; sessionId: string } };

const json = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  Response.json({ error: { code, message } }, { status, headers });

/** Text for the page below: no markup can come in through it. */
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * A page for a browser that cannot go on (no session, a used or unknown login link, an unknown address):
 * the console's own stylesheet (served without a session, it holds no data), no script.
 */
const messagePage = (status: 401 | 404, title: string, lines: string[]): Response =>
  new Response(
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width, initial-scale=1">' +
      `<title>${escapeHtml(title)} · signup-gate console</title>` +
      '<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">' +
      '<link rel="stylesheet" href="/assets/app.css"></head>' +
      '<body><main class="ended"><p class="brand-line">signup-gate <span class="brand-sub">console</span></p>' +
      `<h1>${escapeHtml(title)}</h1>${lines.map((line) => `<p>${line}</p>`).join('')}</main></body></html>`,
    { status, headers: { 'Content-Type': 'text/html; charset=utf-8' } },
  );

const NEW_LINK = 'Run <code>npx signup-gate console</code> again and open the new login link it prints.';

const refusalPage = (title: string, text: string): Response =>
  messagePage(401, title, [escapeHtml(text), NEW_LINK]);

/** Files of the page a browser may fetch without a session: the look of the pages above, nothing else. */
const PUBLIC_ASSETS = new Set(['app.css', 'favicon.svg']);

const assetResponse = (asset: Asset, cache: string): Response =>
  new Response(asset.body, { headers: { 'Content-Type': asset.type, 'Cache-Control': cache } });

/** Builds the app; the caller serves it on 127.0.0.1. */
export const createConsoleApp = ({ target, assets, sessions, origin }: ConsoleAppOptions): Hono<Env> => {
  const app = new Hono<Env>();
  // Browsers send a host's cookies to every port of it. So the session cookie is bound to this console: a `__Host-`
  // cookie (Secure, Path=/, no Domain: never set or read by a sibling host) named after this port, and every request
  // that carries it must come from this console's own pages (Origin and Sec-Fetch-Site, below).
  const cookieName = () => `__Host-sg_console_${new URL(origin()).port}`;
  const cookieOptions = { httpOnly: true, secure: true, sameSite: 'Strict', path: '/' } as const;
  /** The Host header names this server (not a DNS-rebound name that resolves to 127.0.0.1). */
  const hostIsOurs = (host: string | undefined) => {
    const { port } = new URL(origin());
    return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
  };

  /**
   * Whether a request carrying the session comes from this console: an `Origin` (sent on every cross-origin request,
   * and on same-origin ones but GET) must be this console's, and `Sec-Fetch-Site` must say same-origin (or `none`, an
   * address typed or a bookmark). A page on another local port is same-site but not same-origin: refused.
   */
  const fromThisConsole = (from: string | undefined, site: string | undefined) =>
    (from === undefined || from === origin()) &&
    (site === undefined || site === 'same-origin' || site === 'none');

  app.use(securityHeaders());
  app.onError(() => json(500, 'internal', 'internal error'));
  app.notFound((c) =>
    !c.req.path.startsWith('/api/') && (c.req.header('accept') ?? '').includes('text/html')
      ? messagePage(404, 'There is no such page', [
          'The console has one page. <a href="/">Open it</a>, or use the login link the console printed.',
        ])
      : json(404, 'not_found', 'no such route'),
  );

  app.get('/assets/:name', async (c, next) => {
    const name = c.req.param('name');
    if (!PUBLIC_ASSETS.has(name)) return next();
    const asset = await assets.file(name);
    return asset ? assetResponse(asset, 'no-cache') : json(404, 'not_found', 'no such file');
  });

  app.get('/login', (c) => {
    const code = c.req.query('code');
    const redeemed = code && hostIsOurs(c.req.header('host')) ? sessions.redeem(code) : undefined;
    if (!redeemed) {
      // A browser that already holds a session (say, a reloaded login tab) just goes back to the page.
      if (sessions.session(getCookie(c, cookieName()))) return c.redirect('/', 303);
      return refusalPage(
        code ? 'This login link is not valid' : 'This address needs a login code',
        code
          ? 'A login link works once, within 10 minutes of being printed, and this one is used or expired.'
          : 'Open the whole login link the console printed: it ends with ?code=…',
      );
    }
    setCookie(c, cookieName(), redeemed.id, cookieOptions);
    return c.redirect('/', 303);
  });

  // Everything below needs a session.
  app.use(async (c, next) => {
    const id = getCookie(c, cookieName());
    const session = sessions.session(id);
    if (!session || !id) {
      if (c.req.path.startsWith('/api/')) return json(401, 'unauthorized', 'no console session');
      return refusalPage('Not signed in', 'This console needs a session, and this browser has none.');
    }
    if (!hostIsOurs(c.req.header('host'))) return json(403, 'forbidden', 'unexpected Host header');
    if (!fromThisConsole(c.req.header('origin'), c.req.header('sec-fetch-site'))) {
      return json(403, 'csrf_failed', 'request from another page refused');
    }
    c.set('session', session);
    c.set('sessionId', id);
    await next();
  });

  app.get('/', async () => assetResponse(await assets.index(), 'no-store'));
  app.get('/assets/:name', async (c) => {
    const asset = await assets.file(c.req.param('name'));
    return asset ? assetResponse(asset, 'no-cache') : json(404, 'not_found', 'no such file');
  });

  // State-changing calls: the session's CSRF token in a header a cross-site form cannot set, and when the
  // browser says where the request comes from, it must be this page.
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], '/api/*', async (c, next) => {
    const site = c.req.header('sec-fetch-site');
    const from = c.req.header('origin');
    if ((site !== undefined && site !== 'same-origin') || (from !== undefined && from !== origin())) {
      return json(403, 'csrf_failed', 'cross-site request refused');
    }
    if (!SessionStore.csrfMatches(c.get('session'), c.req.header(CSRF_HEADER))) {
      return json(403, 'csrf_failed', `missing or wrong ${CSRF_HEADER} header`);
    }
    await next();
  });

  app.get('/api/session', (c) =>
    c.json({
      csrf_token: c.get('session').csrfToken,
      expires_at: new Date(c.get('session').expiresAt).toISOString(),
      target: { url: target.url, auth: target.auth },
    }),
  );

  app.post('/api/logout', (c) => {
    sessions.end(c.get('sessionId'));
    setCookie(c, cookieName(), '', { ...cookieOptions, maxAge: 0 });
    return c.body(null, 204);
  });

  app.all(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => json(413, 'payload_too_large', 'bodies over 256 KiB are refused'),
    }),
    async (c) => {
      const path = c.req.path.slice('/api'.length);
      const route = matchRoute(c.req.method, path);
      if (route.kind === 'unknown') return json(404, 'not_found', 'no such route');
      if (route.kind === 'wrong_method') {
        return json(405, 'method_not_allowed', 'method not allowed', { Allow: route.allow.join(', ') });
      }
      const raw = c.req.url;
      const query = raw.includes('?') ? raw.slice(raw.indexOf('?')) : '';
      if (route.method === 'GET' || route.method === 'DELETE') {
        return forward(target, { method: route.method, path, query });
      }
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') {
        return json(415, 'unsupported_media_type', 'send JSON (Content-Type: application/json)');
      }
      return forward(target, { method: route.method, path, query, body: await c.req.text() });
    },
  );

  return app;
};
