/** `GET /health` on the real local server: 200 for GET and HEAD, the contract's 405 (with `Allow`) for the rest. */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/local-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** A raw HTTP/1.1 request on the default keep-alive agent: any method, with or without a body, as sent. */
const send = (
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> =>
  new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    if (body !== undefined) {
      // Node frames a DELETE or OPTIONS body only with an explicit length.
      req.setHeader('Content-Type', 'application/json');
      req.setHeader('Content-Length', Buffer.byteLength(body));
    }
    req.end(body);
  });

describe('/health', () => {
  it('answers GET with 200 {"status":"ok"} as JSON', async () => {
    const res = await send('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.text)).toEqual({ status: 'ok' });
  });

  it('answers HEAD with 200 and no body', async () => {
    const res = await send('HEAD', '/health');
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])(
    'answers %s with 405 method_not_allowed and Allow: GET, HEAD',
    async (method) => {
      const res = await send(method, '/health', '{"status":"ok"}');
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = JSON.parse(res.text) as { error: { code: string; message: string }; status?: unknown };
      expect(body.error.code).toBe('method_not_allowed');
      expect(body.error.message).toMatch(/GET, HEAD/);
      expect(body).not.toHaveProperty('status');
    },
  );

  it('keeps the connection usable after a refused request with a body', async () => {
    for (const method of ['DELETE', 'OPTIONS', 'POST']) {
      expect((await send(method, '/health', '{"a":1}')).status).toBe(405);
      expect((await send('GET', '/health')).status).toBe(200);
    }
  });

  it("405s look like every other route's 405 (same keys, an Allow header)", async () => {
    const health = await send('DELETE', '/health');
    const screen = await send('DELETE', '/screen');
    expect(screen.status).toBe(405);
    expect(screen.headers.allow).toBeTruthy();
    expect(Object.keys(JSON.parse(health.text))).toEqual(Object.keys(JSON.parse(screen.text)));
    expect(Object.keys(JSON.parse(health.text).error)).toEqual(Object.keys(JSON.parse(screen.text).error));
  });
});
