/** `signup-gate stats`: decisions, degraded verdicts, Defastra calls and cache hits per hour or day (`GET /stats`, docs/reviews.md). */
import { type Command, Option } from 'commander';
import type { Source } from '../../shared/core/levels.js';
import { callApi, queryString } from '../api.js';
import { contextOf } from '../context.js';
import { out, pc, printJson, table } from '../output.js';
import { parseWhen } from '../when.js';
import type { WireStats, WireStatsBucket } from '../wire.js';

const COUNTERS = [
  'allow',
  'review',
  'block',
  'degraded',
  'defastra_calls',
  'cache_hits',
  'velocity',
  'spend_limited',
] as const satisfies ReadonlyArray<keyof WireStatsBucket>;

const bucketLabel = (start: string, bucket: string): string =>
  bucket === 'hour' ? start.slice(0, 13).replace('T', ' ').concat(':00Z') : start.slice(0, 10);

/** The buckets (oldest first, as the API gives them) with a total row, and the totals per source. */
export const statsText = (stats: WireStats, bucket: string): string => {
  const totals = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<(typeof COUNTERS)[number], number>;
  const bySource = new Map<Source, { allow: number; review: number; block: number }>();
  for (const b of stats.buckets) {
    for (const c of COUNTERS) totals[c] += b[c] ?? 0;
    for (const [source, counts] of Object.entries(b.by_source ?? {}) as Array<
      [Source, WireStatsBucket['by_source'][Source]]
    >) {
      const sum = bySource.get(source) ?? { allow: 0, review: 0, block: 0 };
      sum.allow += counts?.allow ?? 0;
      sum.review += counts?.review ?? 0;
      sum.block += counts?.block ?? 0;
      bySource.set(source, sum);
    }
  }
  const head = [
    'START',
    'ALLOW',
    'REVIEW',
    'BLOCK',
    'DEGRADED',
    'DEFASTRA',
    'CACHE HITS',
    'VELOCITY',
    'SPEND LIMIT',
  ];
  const rows = stats.buckets.map((b) => [bucketLabel(b.start, bucket), ...COUNTERS.map((c) => b[c] ?? 0)]);
  rows.push([pc.bold('total'), ...COUNTERS.map((c) => pc.bold(String(totals[c])))]);
  const lines = [table(head, rows, ['left', ...COUNTERS.map(() => 'right' as const)])];
  const sources = [...bySource.entries()].filter(([, s]) => s.allow + s.review + s.block > 0);
  if (sources.length > 0) {
    lines.push(
      '',
      table(
        ['SOURCE', 'ALLOW', 'REVIEW', 'BLOCK'],
        sources.map(([name, s]) => [name, s.allow, s.review, s.block]),
        ['left', 'right', 'right', 'right'],
      ),
    );
  }
  return lines.join('\n');
};

interface StatsOptions {
  since?: string;
  until?: string;
  bucket: 'hour' | 'day';
}

export const registerStats = (program: Command): void => {
  program
    .command('stats')
    .description('decisions, Defastra calls, cache hits per day/hour')
    .option('--since <when>', 'from (ISO 8601, or an age: 48h, 14d; default: 14 days ago)', (v) =>
      parseWhen(v),
    )
    .option('--until <when>', 'until (ISO 8601, or an age; default: now)', (v) => parseWhen(v))
    .addOption(new Option('--bucket <size>', 'bucket size').choices(['hour', 'day']).default('day'))
    .addHelpText('after', '\nExamples:\n  signup-gate stats\n  signup-gate stats --bucket hour --since 24h')
    .action(async (options: StatsOptions, command: Command) => {
      const context = contextOf(command);
      const path = `/stats${queryString({ since: options.since, until: options.until, bucket: options.bucket })}`;
      const { body } = await callApi<WireStats>(await context.target(), { method: 'GET', path });
      if (context.json) printJson(body);
      else out(body.buckets.length === 0 ? 'no buckets in this range' : statsText(body, options.bucket));
    });
};
