/**
 * A small HTTP/1.1 client for the benchmarks and the load run: one keep-alive `node:http` Agent per client,
 * the whole answer read as text, a per-request timeout, and the time each request took.
 */
import http from 'node:http';

export interface HttpRequest {
  method: string;
  /** Path and query, e.g. `/verdicts?limit=5`. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Gives up (rejects) after this many ms; default 30 000. */
  timeoutMs?: number;
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** From the call to the last byte of the body, in ms. */
  ms: number;
}

export interface HttpClient {
  readonly baseUrl: string;
  request(request: HttpRequest): Promise<HttpAnswer>;
  /** `JSON.parse` of a 2xx answer's text; throws with the status otherwise. */
  json<T>(request: HttpRequest): Promise<T>;
  /** TCP connections this client opened so far. */
  readonly connections: number;
  close(): void;
}

export interface HttpClientOptions {
  /** Concurrent sockets per host (default 64). */
  maxSockets?: number;
}

/** Creates a client for `baseUrl` (http only: the benchmarks talk to 127.0.0.1). */
export const createHttpClient = (baseUrl: string, options: HttpClientOptions = {}): HttpClient => {
  const base = new URL(baseUrl);
  if (base.protocol !== 'http:') throw new Error(`only http:// URLs are supported, got ${base.protocol}`);
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: options.maxSockets ?? 64,
    maxFreeSockets: options.maxSockets ?? 64,
    scheduling: 'lifo',
  });
  let connections = 0;

  const request = (req: HttpRequest): Promise<HttpAnswer> =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const started = performance.now();
      const body =
        req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
      const headers: Record<string, string | number> = { ...req.headers };
      if (body !== undefined) headers['Content-Length'] = body.byteLength;
      const outgoing = http.request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method: req.method,
          path: req.path,
          headers,
          timeout: req.timeoutMs ?? 30_000,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              text: Buffer.concat(chunks).toString('utf8'),
              ms: performance.now() - started,
            }),
          );
        },
      );
      outgoing.on('socket', () => {
        if (!outgoing.reusedSocket) connections += 1;
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error(`${req.method} ${req.path} timed out`)));
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  return {
    baseUrl: base.href.replace(/\/$/, ''),
    request,
    async json<T>(req: HttpRequest): Promise<T> {
      const answer = await request(req);
      if (answer.status < 200 || answer.status > 299) {
        throw new Error(`${req.method} ${req.path} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
      }
      return JSON.parse(answer.text) as T;
    },
    get connections() {
      return connections;
    },
    close: () => agent.destroy(),
  };
};
