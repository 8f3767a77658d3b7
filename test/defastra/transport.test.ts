/** Client transport over real HTTP: compression, keep-alive reuse, network failures, what is sent. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  createDefastraClient,
  type DefastraCallInfo,
  type DefastraClient,
} from '../../shared/defastra/client.js';
import { DefastraBadResponseError, DefastraNetworkError } from '../../shared/defastra/errors.js';
import { SANDBOX_IDENTITIES as ID } from '../../shared/defastra/sandbox/identities.js';
import type { Sandbox } from '../../shared/defastra/sandbox/server.js';
import { closedPort, failure, fastClient, fixture, rawRequest, useSandboxClient } from './helpers.js';

let sandbox: Sandbox;
let client: DefastraClient;
useSandboxClient((s, c) => {
  sandbox = s;
  client = c;
});

const decoders: Record<string, (body: Buffer) => Buffer> = {
  br: zlib.brotliDecompressSync,
  gzip: zlib.gunzipSync,
  deflate: zlib.inflateSync,
};

/** Path and form body of an email check, for raw requests. */
const emailForm = (email: string): { path: string; body: string } => ({
  path: '/deep_email_check',
  body: new URLSearchParams({ email }).toString(),
});

describe('response compression', () => {
  it.each(['br', 'gzip', 'deflate'])('the sandbox compresses with %s when asked', async (encoding) => {
    const answer = await rawRequest(sandbox.url, {
      ...emailForm(ID.email.low),
      headers: {
        'X-API-KEY': sandbox.apiKey,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Accept-Encoding': encoding,
      },
    });
    expect(answer.headers['content-encoding']).toBe(encoding);
    const decoded = JSON.parse(decoders[encoding]!(answer.body).toString('utf8')) as { status: boolean };
    expect(decoded.status).toBe(true);
  });

  it('prefers br when the client accepts all three, and sends plain JSON when nothing is accepted', async () => {
    const headers = { 'X-API-KEY': sandbox.apiKey, 'Content-Type': 'application/x-www-form-urlencoded' };
    const all = await rawRequest(sandbox.url, {
      ...emailForm(ID.email.low),
      headers: { ...headers, 'Accept-Encoding': 'gzip, deflate, br' },
    });
    expect(all.headers['content-encoding']).toBe('br');
    const plain = await rawRequest(sandbox.url, { ...emailForm(ID.email.low), headers });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString('utf8'))).toMatchObject({ status: true });
  });

  it.each(['br', 'gzip', 'deflate'] as const)('the client decodes a %s answer', async (encoding) => {
    sandbox.setFaults({ encoding });
    // The same negotiation the client makes: proves the body it receives is compressed that way.
    const probe = await rawRequest(sandbox.url, {
      ...emailForm(ID.email.low),
      headers: {
        'X-API-KEY': sandbox.apiKey,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Accept-Encoding': 'gzip, deflate, br',
      },
    });
    expect(probe.headers['content-encoding']).toBe(encoding);
    const result = await client.checkEmail(ID.email.extreme);
    expect(result.riskLevel).toBe('extreme');
    expect(result.checks.length).toBeGreaterThan(0);
  });
});

describe('connections', () => {
  it('20 sequential calls reuse one keep-alive TCP connection', async () => {
    const own = fastClient(sandbox);
    sandbox.resetStats();
    for (let i = 0; i < 20; i += 1) {
      await own.checkEmail(ID.email.low);
    }
    own.close();
    expect(sandbox.stats().requests).toBe(20);
    expect(sandbox.stats().connections).toBe(1);
  });

  it('connection refused → NetworkError with beforeSend true, retried up to maxAttempts', async () => {
    const port = await closedPort();
    const calls: DefastraCallInfo[] = [];
    const refused = createDefastraClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: async () => 'k',
      backoffMs: 1,
      onCall: (info) => calls.push(info),
    });
    const error = await failure(refused.checkEmail(ID.email.low));
    refused.close();
    expect(error).toBeInstanceOf(DefastraNetworkError);
    expect(error).toMatchObject({ type: 'NETWORK', beforeSend: true });
    expect(calls.map((c) => c.outcome)).toEqual(['NETWORK', 'NETWORK', 'NETWORK']);
  });

  it('reset mid-response → NetworkError with beforeSend false, not retried', async () => {
    sandbox.setFaults({ resetMidResponse: true, resetCount: 1 });
    const error = await failure(client.checkEmail(ID.email.low));
    expect(error).toBeInstanceOf(DefastraNetworkError);
    expect(error).toMatchObject({ beforeSend: false });
    expect(sandbox.stats().requests).toBe(1);
    // The fault was used once: the next call works.
    await expect(client.checkEmail(ID.email.low)).resolves.toMatchObject({ riskLevel: 'low' });
  });

  it('a 502 with an HTML body → DefastraBadResponseError, not retried', async () => {
    sandbox.setFaults({ http5xx: 502 });
    const error = await failure(client.checkEmail(ID.email.low));
    expect(error).toBeInstanceOf(DefastraBadResponseError);
    expect(error).toMatchObject({ type: 'BAD_RESPONSE', httpStatus: 502 });
    expect(sandbox.stats().requests).toBe(1);
  });
});

describe('what the client sends', () => {
  it('the phone goes out as digits only', async () => {
    const result = await client.checkPhone('+33 6 00 00 00 02');
    expect(result.riskLevel).toBe('medium');
    const hlr = result.data.phone_hlr as { prefix: string; without_prefix: string };
    expect(`${hlr.prefix}${hlr.without_prefix}`).toBe(ID.phone.medium);
    expect(sandbox.stats().byEndpoint).toEqual({ email: 0, phone: 1 });
  });

  it('sends the documented headers and a form body (spaces as %20)', async () => {
    const seen: { method?: string; url?: string; headers?: http.IncomingHttpHeaders; body?: string } = {};
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        Object.assign(seen, { method: req.method, url: req.url, headers: req.headers });
        seen.body = Buffer.concat(chunks).toString('utf8');
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(fixture('phone-low.json'));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const own = createDefastraClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: async () => 'secret-key',
      userAgent: 'test-agent',
    });
    const result = await own.checkPhone('+1 (312) 555-0199', { timeout: 'minimal', label: 'signup test' });
    own.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(result.riskLevel).toBe('low');
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/deep_phone_check');
    expect(seen.headers).toMatchObject({
      'x-api-key': 'secret-key',
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'accept-encoding': 'gzip, deflate, br',
      connection: 'keep-alive',
      'user-agent': 'test-agent',
    });
    expect(seen.body).toBe('phone=13125550199&timeout=minimal&label=signup%20test');
  });
});
