/**
 * Test helper: an HTTP proxy in front of a DynamoDB-compatible endpoint (dynalite) that fails chosen calls, as a real
 * outage or throttling would. A fault matches calls by operation and body; it fails them `before` they reach the store
 * (nothing written) or `after` (written, but the caller sees a 500: an ambiguous failure). Everything else passes.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fault sees of a call: the operation (`PutItem`, `UpdateItem`...) and the JSON body the SDK sent. */
export interface DynamoCall {
  operation: string;
  body: Record<string, unknown>;
}

export interface Fault {
  when: (call: DynamoCall) => boolean;
  /** `before`: refused, nothing written. `after`: forwarded and written, the answer replaced by a 500. */
  mode: 'before' | 'after';
}

export interface FaultProxy {
  /** The endpoint to give the DynamoDB client. */
  endpoint: string;
  /** Arms a fault (every matching call fails until `clear`). */
  arm(fault: Fault): void;
  clear(): void;
  /** Calls failed since the last `clear`. */
  failed(): DynamoCall[];
  close(): Promise<void>;
}

const INTERNAL_ERROR = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
  message: 'fault proxy: injected failure',
});

/** Starts the proxy on 127.0.0.1 in front of `target` (e.g. a dynalite endpoint). */
export const startFaultProxy = async (target: string): Promise<FaultProxy> => {
  const upstream = new URL(target);
  let fault: Fault | undefined;
  let failed: DynamoCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const operation =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        // not JSON: forwarded as is
      }
      const call = { operation, body };
      const hit = fault?.when(call) ? fault : undefined;
      const refuse = () => {
        failed.push(call);
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(INTERNAL_ERROR);
      };
      if (hit?.mode === 'before') return refuse();
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            if (hit) return refuse();
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            res.end(Buffer.concat(parts));
          });
        },
      );
      forward.on('error', () => refuse());
      forward.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    arm: (next) => {
      fault = next;
    },
    clear: () => {
      fault = undefined;
      failed = [];
    },
    failed: () => [...failed],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
