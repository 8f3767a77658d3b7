/**
 * The body limit is enforced while the body streams in (docs/api.md): a chunked body past 256 KiB is refused with 413
 * long before the client finishes sending it, on every body route of the real local server.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/local-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const CHUNK = Buffer.alloc(64 * 1024, 'a');
/** What a slow client would send in all: far more than the limit. */
const WOULD_SEND = 64 * 1024 * 1024;

/**
 * Streams a chunked body, one 64 KiB chunk per event-loop turn, until the server answers or `WOULD_SEND` bytes are
 * out. Returns the status and how many bytes had been written when the answer came.
 */
const streamUntilAnswered = (path: string, headers: Record<string, string>) =>
  new Promise<{ status: number; sentBeforeAnswer: number; body: string }>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(`${server.url}${path}`, { method: 'POST', headers }, (res) => {
      answered = true;
      const sentBeforeAnswer = sent;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, sentBeforeAnswer, body });
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      if (answered || req.destroyed) return;
      if (sent >= WOULD_SEND) {
        req.end();
        return;
      }
      sent += CHUNK.length;
      if (req.write(CHUNK)) setImmediate(pump);
      else req.once('drain', pump);
    };
    pump();
  });

describe('bodies over 256 KiB', () => {
  it.each([
    ['/screen', { Authorization: 'Bearer {token}' }],
    ['/hooks/auth0', {}],
    ['/hooks/stripe', {}],
    ['/hooks/supabase', {}],
    ['/lists', { Authorization: 'Bearer {token}' }],
  ])('%s answers 413 while a chunked body is still streaming', async (path, extra) => {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
    };
    for (const [name, value] of Object.entries(extra))
      headers[name] = value.replace('{token}', server.apiToken);
    const { status, sentBeforeAnswer, body } = await streamUntilAnswered(path, headers);
    expect(status).toBe(413);
    expect(JSON.parse(body)).toEqual({ error: { code: 'payload_too_large', message: expect.any(String) } });
    // Answered after about the limit, not after the 64 MiB the client meant to send.
    expect(sentBeforeAnswer).toBeLessThan(8 * 1024 * 1024);
  });

  it('refuses a declared Content-Length over the limit before reading anything', async () => {
    const res = await fetch(`${server.url}/screen`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(300 * 1024) },
      body: 'x'.repeat(300 * 1024),
    });
    expect(res.status).toBe(413);
  });

  it('still accepts a body just under the limit', async () => {
    const padding = 'x'.repeat(256 * 1024 - 200);
    const res = await fetch(`${server.url}/screen`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.apiToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'limit@example.com', reference: 'r', pad: padding }),
    });
    // Read whole (under the limit), then refused for the unknown field: 400, not 413.
    expect(res.status).toBe(400);
  });
});
