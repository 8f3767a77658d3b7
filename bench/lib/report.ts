/** The bench report: the markdown page (docs/benchmarks.md) and the console table, from the run's results. */
import { cpus, loadavg, totalmem } from 'node:os';
import type { Results, RouteResult, StoreWork } from './results.js';
import { spreadText } from './results.js';
import { formatMs } from './stats.js';

export interface RunInfo {
  command: string;
  date: string;
  latencyMs: number;
  warmup: number;
  requests: number;
  /** Load average (1 min) when the run started and ended. */
  loadBefore: number;
  loadAfter: number;
  /** "In short" lines, written by the run from its numbers. */
  summary: string[];
  /** The set-up lines of "Machine and run". */
  setup: string[];
}

export const currentLoad = (): number => loadavg()[0] ?? Number.NaN;

const byOperationText = (work: StoreWork): string =>
  Object.entries(work.byOperation)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${op} ${n.toFixed(n % 1 === 0 ? 0 : 2)}`)
    .join(', ');

const units = (n: number): string => (n % 1 === 0 ? String(n) : n.toFixed(2));

/** The store-work table: per route, calls by operation, round trips, units. */
export const storeTable = (routes: readonly RouteResult[]): string[] => [
  '| route | store calls / request | sequential round trips (longest chain) | busy intervals | round trips in DynamoDB | WRU / request (of which indexes) | RRU / request |',
  '|---|---|---|---|---|---|---|',
  ...routes
    .filter((r) => r.store)
    .map((r) => {
      const s = r.store!;
      const batch =
        s.batchKeys === null
          ? ''
          : `; ${s.batchKeys.toFixed(s.batchKeys % 1 === 0 ? 0 : 1)} keys per BatchGetItem`;
      return `| ${r.route} | ${s.calls.toFixed(2)} (${byOperationText(s)}${batch}) | ${spreadText(s.chain)} | ${spreadText(s.intervals)} | ${spreadText(s.awsChain)} | ${units(s.wru)} (${units(s.indexWru)}) | ${units(s.rru)} |`;
    }),
];

const latencyTable = (routes: readonly RouteResult[]): string[] => [
  '| route | server | n | end-to-end p50 | p90 | p99 | max | overhead p50 | overhead p99 |',
  '|---|---|---|---|---|---|---|---|---|',
  ...routes.map(
    (d) =>
      `| ${d.route} | ${d.server} | ${d.count} | ${formatMs(d.e2e.p50)} | ${formatMs(d.e2e.p90)} | ${formatMs(d.e2e.p99)} | ${formatMs(d.e2e.max)} | ${d.overhead ? formatMs(d.overhead.p50) : '—'} | ${d.overhead ? formatMs(d.overhead.p99) : '—'} |`,
  ),
];

export const markdown = (results: Results, info: RunInfo): string => {
  const cpu = cpus();
  const lines: string[] = [
    '# Benchmarks',
    '',
    'Written by `npm run bench -- --write` (`bench/run.ts`); rerun it to refresh this page. Numbers come from the machine below. The capacity and cost note built on these numbers is [capacity.md](capacity.md).',
    '',
    '## Machine and run',
    '',
    `- CPU: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores; memory ${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- Node: ${process.version} (${process.platform} ${process.arch})`,
    `- Command: \`${info.command}\``,
    `- Date: ${info.date}; load average (1 min) ${info.loadBefore.toFixed(2)} at the start, ${info.loadAfter.toFixed(2)} at the end`,
    ...info.setup.map((line) => `- ${line}`),
    '',
    '## In short',
    '',
    ...info.summary.map((line) => `- ${line}`),
    '',
    ...results.sections.filter((x) => x.top).flatMap((x) => [`## ${x.title}`, '', ...x.lines, '']),
    '## Results against the targets',
    '',
    '| metric | result | target | status |',
    '|---|---|---|---|',
    ...results.rows.map((r) => `| ${r.metric} | ${r.result} | ${r.target} | ${r.status} |`),
    '',
    '## Store work per request',
    '',
    'Measured on the embedded store for every request of each route (bench/lib/store-trace.ts): the DynamoDB calls dynalite served, when each arrived and answered, and their request and response bodies. "Sequential round trips" is the longest chain of store calls each of which was sent after the previous one had answered; "busy intervals" counts the stretches during which at least one store call was in flight (calls in parallel share one). "Round trips in DynamoDB" leaves out the calls only the local set-up makes (see the notes). Write and read units come from the real items (bench/lib/store-cost.ts, bench/lib/capacity.ts): a read is charged on the items its response carried (strongly consistent GetItem and BatchGetItem 1 unit per 4 KB per item, a key not found included; Query eventually consistent, 0.5 per 4 KB of the page); a write on the larger of the item before and after (the item at the end of the run for an update), plus each index write (projection ALL). The local-only reads are left out of the units.',
    '',
    ...storeTable(results.routes),
    '',
    '## Latency (ms)',
    '',
    '"Overhead" is end-to-end time minus the fixed Defastra latency, for requests that make one round of Defastra calls: our HTTP handling, validation, the Defastra client (loopback call and decompression included) and every store call. `embedded` is the local server with its dynalite store in the same process; `in-memory` is the same apps with the in-memory store (bench/lib/memory-server.ts): the app code alone.',
    '',
    ...latencyTable(results.routes),
    '',
  ];
  for (const section of results.sections.filter((x) => !x.top)) {
    lines.push(`## ${section.title}`, '', ...section.lines, '');
  }
  if (results.misses.length > 0) {
    lines.push('## Misses: evidence and what would fix them', '');
    for (const miss of results.misses) {
      lines.push(`### ${miss.metric}`, '');
      for (const line of miss.explanation) lines.push(line.startsWith('  - ') ? line : `- ${line}`);
      lines.push('');
    }
  }
  if (results.notes.length > 0) {
    lines.push('## Notes', '', ...[...new Set(results.notes)].map((n) => `- ${n}`), '');
  }
  return lines.join('\n');
};

export const printTable = (results: Results): void => {
  const widths = [0, 0, 0, 0];
  const cells = results.rows.map((r) => [r.metric, r.result, r.target, r.status]);
  for (const line of [['metric', 'result', 'target', 'status'], ...cells]) {
    line.forEach((cell, i) => {
      widths[i] = Math.max(widths[i]!, cell.length);
    });
  }
  const format = (line: string[]) => line.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  const out = (text: string) => process.stdout.write(`${text}\n`);
  out(format(['metric', 'result', 'target', 'status']));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of cells) out(format(line));
  out('');
  for (const line of storeTable(results.routes)) out(line);
  for (const miss of results.misses) {
    out(`\nMISS ${miss.metric}`);
    for (const line of miss.explanation) out(line.startsWith('  ') ? line : `  ${line}`);
  }
};
