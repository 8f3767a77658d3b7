/**
 * `signup-gate replay --policy <file>`: what a candidate policy would have decided for stored verdicts.
 * The server re-decides them with the same `decide` code as screening (`POST /replay`, docs/reviews.md); the
 * CLI validates the file first with the policy schema, so a bad file fails with the field named.
 */
import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { DECISIONS, SOURCES } from '../../shared/core/levels.js';
import { callApi } from '../api.js';
import { contextOf } from '../context.js';
import { CliError } from '../errors.js';
import { decisionText, out, pc, printJson, table } from '../output.js';
import { parseWhen } from '../when.js';
import type { OutcomeTable, WireReplay } from '../wire.js';

/** Changed verdicts listed in the terminal; `--json` always has them all. */
const SHOWN_ITEMS = 100;
const KNOWN_KEYS = new Set([
  'total',
  'changed',
  'transitions',
  'items',
  'truncated',
  'outcomes',
  'fraud_caught',
  'legit_blocked',
  'current',
]);

/** Reads and validates the candidate; returns the document as written (the server merges it over the defaults). */
export const readCandidate = async (path: string): Promise<unknown> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const { PolicyError, parsePolicyJson } = await import('../../shared/policy/schema.js');
  try {
    parsePolicyJson(text);
  } catch (error) {
    if (error instanceof PolicyError) throw new CliError(`${path}: ${error.message}`);
    throw error;
  }
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
};

const transitionTable = (answer: WireReplay): string => {
  const rows = DECISIONS.map((from) => {
    const counts = DECISIONS.map((to) => answer.transitions[from]?.[to] ?? 0);
    const total = counts.reduce((a, b) => a + b, 0);
    return [
      decisionText(from),
      ...counts.map((n, i) => (n > 0 && DECISIONS[i] !== from ? pc.bold(String(n)) : String(n))),
      total,
    ];
  });
  return table(['WAS \\ WOULD BE', ...DECISIONS.map((d) => `-> ${d}`), 'TOTAL'], rows, [
    'left',
    'right',
    'right',
    'right',
    'right',
  ]);
};

const cellOf = (value: unknown): string =>
  value === null || value === undefined
    ? '-'
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);

/** Any further list or value in the answer (e.g. verdicts the server could not re-decide, with reasons), as found. */
const extrasText = (answer: WireReplay): string[] => {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(answer)) {
    if (KNOWN_KEYS.has(key)) continue;
    if (Array.isArray(value)) {
      lines.push('', `${pc.bold(key)}: ${value.length}`);
      if (value.length === 0) continue;
      if (value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) {
        const columns = [...new Set(value.flatMap((v) => Object.keys(v as object)))];
        const rows = value.map((v) => columns.map((c) => cellOf((v as Record<string, unknown>)[c])));
        lines.push(
          table(
            columns.map((c) => c.toUpperCase()),
            rows,
          ),
        );
      } else {
        for (const v of value) lines.push(`  ${cellOf(v)}`);
      }
    } else {
      lines.push(`${pc.bold(key)}: ${cellOf(value)}`);
    }
  }
  return lines;
};

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** Known frauds and known good users in an outcome table, and how many of them it catches and blocks. */
const countsOf = (outcomes: OutcomeTable) => {
  const sum = (label: 'fraud' | 'legit') => DECISIONS.reduce((n, d) => n + (outcomes[d]?.[label] ?? 0), 0);
  return {
    frauds: sum('fraud'),
    caught: (outcomes.review?.fraud ?? 0) + (outcomes.block?.fraud ?? 0),
    good: sum('legit'),
    blocked: outcomes.block?.legit ?? 0,
  };
};

/**
 * What the candidate does to the labelled verdicts (docs/outcomes.md): `would catch 9 of 10 known frauds, block 1 of
 * 200 known good users`, then the same under the stored decisions. Nothing from a server that does not report it.
 */
export const outcomeLines = (answer: WireReplay): string[] => {
  if (!answer.outcomes) return [];
  const candidate = countsOf(answer.outcomes);
  if (candidate.frauds + candidate.good === 0) {
    return [
      pc.dim(
        'no labelled verdicts among them: label outcomes (signup-gate label, or Stripe fraud reports) to see what it would catch',
      ),
    ];
  }
  const line = (c: ReturnType<typeof countsOf>, catchVerb: string, blockVerb: string) =>
    `${catchVerb} ${c.caught} of ${plural(c.frauds, 'known fraud', 'known frauds')}, ${blockVerb} ${c.blocked} of ${plural(c.good, 'known good user', 'known good users')}`;
  const lines = [pc.bold(line(candidate, 'would catch', 'block'))];
  if (answer.current?.outcomes) {
    lines.push(pc.dim(`(as decided: ${line(countsOf(answer.current.outcomes), 'caught', 'blocked')})`));
  }
  return lines;
};

export const replayText = (answer: WireReplay): string => {
  const lines = [
    `${answer.total} verdicts re-decided, ${answer.changed} would change${answer.truncated ? pc.yellow(' (truncated: only the first verdicts of the range were replayed; narrow --since/--until)') : ''}`,
    ...outcomeLines(answer),
    '',
    transitionTable(answer),
  ];
  if (answer.items.length > 0) {
    lines.push('', pc.bold('would change:'));
    lines.push(
      table(
        ['VERDICT', 'FROM', 'TO'],
        answer.items
          .slice(0, SHOWN_ITEMS)
          .map((i) => [i.verdict_id, decisionText(i.from), decisionText(i.to)]),
      ),
    );
    if (answer.items.length > SHOWN_ITEMS) {
      lines.push(pc.dim(`... and ${answer.items.length - SHOWN_ITEMS} more (--json lists them all)`));
    }
  }
  lines.push(...extrasText(answer));
  return lines.join('\n');
};

interface ReplayOptions {
  policy: string;
  since?: string;
  until?: string;
  source?: string;
}

export const registerReplay = (program: Command): void => {
  program
    .command('replay')
    .description('what-if: stored verdicts under a candidate policy')
    .requiredOption('--policy <file>', 'the candidate policy file (same format as policy.json)')
    .option('--since <when>', 'from (ISO 8601, or an age: 24h, 30d; default: 7 days ago)', (v) =>
      parseWhen(v),
    )
    .option('--until <when>', 'until (ISO 8601, or an age; default: now)', (v) => parseWhen(v))
    .addOption(new Option('--source <source>', 'only verdicts of this source').choices(SOURCES))
    .addHelpText(
      'after',
      '\nPrints what the candidate would catch of the labelled verdicts (known frauds, known good users),\nthe transition table (old decision x new decision) and the verdicts that would change;\n--json prints the answer of POST /replay as is.\n\nExample:\n  signup-gate replay --policy candidate.json --since 30d',
    )
    .action(async (options: ReplayOptions, command: Command) => {
      const context = contextOf(command);
      const policy = await readCandidate(options.policy);
      const body: Record<string, unknown> = { policy };
      if (options.since) body.since = options.since;
      if (options.until) body.until = options.until;
      if (options.source) body.source = options.source;
      const { body: answer } = await callApi<WireReplay>(await context.target(), {
        method: 'POST',
        path: '/replay',
        body,
      });
      if (context.json) printJson(answer);
      else out(replayText(answer));
    });
};
