/**
 * The bench's view of the embedded store: every DynamoDB call dynalite serves, counted by operation, timed from
 * its arrival to the end of its response, and (while a bench request is open) kept with its request and response
 * bodies for the capacity accounting. From the timings it measures sequential store round trips per bench request.
 * Bodies are only referenced during a request and parsed after it, so the timed path pays almost nothing.
 * Bench requests are traced one at a time (`begin`, then `end` once the answer is in).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { nowMs } from './timer.js';

/** One store call as observed: operation, when it arrived and when its response was written, its status. */
export interface StoreCall {
  operation: string;
  start: number;
  end: number;
  status: number;
}

/** A store call with its parsed request and response bodies (DynamoDB JSON). */
export interface StoreExchange extends StoreCall {
  request: unknown;
  response: unknown;
}

/** What one bench request did to the store. */
export interface RequestTrace {
  calls: StoreExchange[];
  /**
   * Disjoint busy intervals of the store during the request: a new one starts when a call arrives while none is
   * in flight. Calls in parallel share one; a call that waits for another's answer starts a new one.
   */
  intervals: number;
  /** The longest chain of calls each of which arrived after the previous one had answered. */
  chain: number;
}

interface Pending {
  call: StoreCall;
  chunks: Buffer[];
  responseBody: string;
}

/** The longest chain of calls where each one arrived after the one before it had answered. */
export const longestChain = (calls: ReadonlyArray<Pick<StoreCall, 'start' | 'end'>>): number => {
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  sorted.forEach((call, i) => {
    let best = 0;
    for (let j = 0; j < i; j++) {
      if (sorted[j]!.end <= call.start) best = Math.max(best, depth[j]!);
    }
    depth.push(best + 1);
  });
  return depth.reduce((max, d) => Math.max(max, d), 0);
};

const operationOf = (headers: Record<string, string | string[] | undefined>): string => {
  const target = String(headers['x-amz-target'] ?? 'unknown');
  return target.slice(target.indexOf('.') + 1);
};

const parse = (text: string): unknown => {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
};

export class StoreTrace {
  readonly #counts = new Map<string, number>();
  #inFlight = 0;
  #intervals = 0;
  #idleWaiters: Array<() => void> = [];
  /** The bench request being traced, if any: its calls and their bodies. */
  #open: { startIntervals: number; pending: Pending[] } | null = null;

  /** The `onRequest` hook for `listenDynalite`. */
  readonly onRequest = (
    headers: Record<string, string | string[] | undefined>,
    { request, response }: { request: IncomingMessage; response: ServerResponse },
  ): void => {
    const operation = operationOf(headers);
    this.#counts.set(operation, (this.#counts.get(operation) ?? 0) + 1);
    if (this.#inFlight === 0) this.#intervals += 1;
    this.#inFlight += 1;
    const call: StoreCall = { operation, start: nowMs(), end: Number.NaN, status: 0 };
    const open = this.#open;
    let pending: Pending | undefined;
    if (open) {
      pending = { call, chunks: [], responseBody: '' };
      open.pending.push(pending);
      const kept = pending;
      request.on('data', (chunk: Buffer) => kept.chunks.push(chunk));
      // dynalite answers with one `res.end(body)`: keep a reference to the body text, parsed after the request.
      const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
      (response as { end: (...args: unknown[]) => ServerResponse }).end = (...args: unknown[]) => {
        const [body] = args;
        if (typeof body === 'string') kept.responseBody = body;
        else if (Buffer.isBuffer(body)) kept.responseBody = body.toString('utf8');
        return end(...args);
      };
    }
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      call.end = nowMs();
      call.status = response.statusCode;
      this.#inFlight -= 1;
      if (this.#inFlight === 0) {
        const waiters = this.#idleWaiters;
        this.#idleWaiters = [];
        for (const wake of waiters) wake();
      }
    };
    response.once('finish', finish);
    response.once('close', finish);
  };

  /** Store calls so far, by DynamoDB operation (`GetItem`, `PutItem`, …). */
  byOperation(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  total(): number {
    return [...this.#counts.values()].reduce((sum, n) => sum + n, 0);
  }

  /** Resolves once no store call is in flight. */
  idle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Opens a bench request: the store calls from now on are its own. Requests are traced one at a time. */
  begin(): void {
    if (this.#open) throw new Error('a traced request is already open');
    this.#open = { startIntervals: this.#intervals, pending: [] };
  }

  /**
   * Closes the bench request once the store is idle (calls it left running, e.g. a velocity add that outlives a
   * replayed answer, still count as its own), parses the bodies and returns its trace.
   */
  async end(): Promise<RequestTrace> {
    const open = this.#open;
    if (!open) throw new Error('no traced request is open');
    await this.idle();
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.idle();
    this.#open = null;
    const calls = open.pending.map(
      (p): StoreExchange => ({
        ...p.call,
        request: parse(Buffer.concat(p.chunks).toString('utf8')),
        response: parse(p.responseBody),
      }),
    );
    return { calls, intervals: this.#intervals - open.startIntervals, chain: longestChain(calls) };
  }
}
