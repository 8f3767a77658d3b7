/**
 * What a bench run collects: target rows (PASS / MISS / info), misses with their evidence, notes, and per route
 * the latency, the store work (calls, round trips, units) measured for it. The report renders these.
 */
import type { Summary } from './stats.js';

export type Status = 'PASS' | 'MISS' | 'info' | 'skipped';

export interface Row {
  metric: string;
  result: string;
  target: string;
  status: Status;
}

export interface Miss {
  metric: string;
  explanation: string[];
}

/** min, max and mean of per-request counts. */
export interface Spread {
  min: number;
  max: number;
  mean: number;
}

export const spreadOf = (values: readonly number[]): Spread => ({
  min: values.length === 0 ? Number.NaN : Math.min(...values),
  max: values.length === 0 ? Number.NaN : Math.max(...values),
  mean: values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length,
});

/** `2` when every request had 2, else `2–3 (mean 2.10)`. */
export const spreadText = (spread: Spread): string =>
  spread.min === spread.max
    ? String(spread.min)
    : `${spread.min}–${spread.max} (mean ${spread.mean.toFixed(2)})`;

/** The store work of one route, per request, measured on the embedded store. */
export interface StoreWork {
  /** Mean store calls per request, in all and by DynamoDB operation. */
  calls: number;
  byOperation: Record<string, number>;
  /** Mean keys per BatchGetItem, when the route makes one. */
  batchKeys: number | null;
  /** Sequential round trips: the longest chain of calls each made after the previous one answered. */
  chain: Spread;
  /** Disjoint busy intervals of the store during the request. */
  intervals: Spread;
  /** The chain without the calls only the local set-up makes (what DynamoDB in AWS would see). */
  awsChain: Spread;
  /** Mean calls per request only the local set-up makes. */
  localOnly: number;
  /** Mean write and read units per request in DynamoDB (local-only reads left out), and the index share of writes. */
  wru: number;
  indexWru: number;
  rru: number;
}

export interface RouteResult {
  route: string;
  kind: 'screening' | 'operator' | 'diagnostic';
  /** `embedded`: the local server with dynalite; `in-memory`: the app-only twin. */
  server: 'embedded' | 'in-memory';
  count: number;
  e2e: Summary;
  overhead: Summary | undefined;
  store?: StoreWork;
}

export class Results {
  readonly rows: Row[] = [];
  readonly misses: Miss[] = [];
  readonly notes: string[] = [];
  readonly routes: RouteResult[] = [];
  /** Extra sections of the report, in order, as markdown lines; `top` ones go right after "In short". */
  readonly sections: Array<{ title: string; lines: string[]; top?: boolean }> = [];

  row(metric: string, result: string, target: string, pass: boolean | undefined): Row {
    const r: Row = { metric, result, target, status: pass === undefined ? 'info' : pass ? 'PASS' : 'MISS' };
    this.rows.push(r);
    return r;
  }

  route(route: string, server: RouteResult['server']): RouteResult | undefined {
    return this.routes.find((r) => r.route === route && r.server === server);
  }
}
