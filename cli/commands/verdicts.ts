/** `signup-gate verdicts list|get`: stored verdicts through `GET /verdicts` (filters of docs/api.md) and `GET /verdicts/{id}`. */
import { type Command, Option } from 'commander';
import { DECISIONS, SOURCES } from '../../shared/core/levels.js';
import { callApi, queryString, segment } from '../api.js';
import { contextOf } from '../context.js';
import { out, pc, printJson } from '../output.js';
import { verdictDetail, verdictTable, wideVerdictTable } from '../render/verdict.js';
import { parseWhen, wholeNumber } from '../when.js';
import type { WirePage, WireVerdict } from '../wire.js';

interface ListOptions {
  email?: string;
  phone?: string;
  decision?: string;
  source?: string;
  review?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
  all?: boolean;
  wide?: boolean;
}

const registerList = (verdicts: Command): void => {
  verdicts
    .command('list')
    .description('list stored verdicts, newest first (GET /verdicts)')
    .option('--email <email>', 'verdicts for this email (normalised and hashed by the server)')
    .option('--phone <phone>', 'verdicts for this phone')
    .addOption(new Option('--decision <decision>', 'only this decision').choices(DECISIONS))
    .addOption(new Option('--source <source>', 'only this source').choices(SOURCES))
    .addOption(
      new Option('--review <state>', 'pending = review decisions not yet reviewed').choices([
        'pending',
        'approved',
        'rejected',
      ]),
    )
    .option('--since <when>', 'from this time, inclusive (ISO 8601, or an age: 24h, 7d)', (v) => parseWhen(v))
    .option('--until <when>', 'before this time (ISO 8601, or an age)', (v) => parseWhen(v))
    .option('--limit <n>', 'page size, 1 to 100 (default 20; 100 with --all)', wholeNumber(1, 100))
    .option('--cursor <cursor>', 'the next_cursor of the previous page')
    .option('--all', 'follow next_cursor until the last page')
    .option('--wide', 'every column: both identifiers with their results, all reasons, the reviewer')
    .addHelpText(
      'after',
      '\nExamples:\n  signup-gate verdicts list --decision block --since 24h\n  signup-gate verdicts list --review pending --all --json',
    )
    .action(async (options: ListOptions, command: Command) => {
      const context = contextOf(command);
      const target = await context.target();
      const items: WireVerdict[] = [];
      let cursor = options.cursor;
      let next: string | null = null;
      do {
        const path = `/verdicts${queryString({
          email: options.email,
          phone: options.phone,
          decision: options.decision,
          source: options.source,
          review: options.review,
          since: options.since,
          until: options.until,
          limit: options.limit ?? (options.all ? 100 : undefined),
          cursor,
        })}`;
        const { body } = await callApi<WirePage<WireVerdict>>(target, { method: 'GET', path });
        items.push(...body.items);
        next = body.next_cursor;
        cursor = next ?? undefined;
      } while (options.all && next);
      if (context.json) return printJson({ items, next_cursor: next });
      if (items.length === 0) out('no verdicts match');
      else out(options.wide ? wideVerdictTable(items) : verdictTable(items));
      if (next) out(pc.dim(`more: add --cursor ${next} (or --all)`));
    });
};

const registerGet = (verdicts: Command): void => {
  verdicts
    .command('get')
    .description('show one verdict with its reasons, checks and review (GET /verdicts/{id})')
    .argument('<id>', 'the verdict id (a ULID)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const { body } = await callApi<WireVerdict>(await context.target(), {
        method: 'GET',
        path: `/verdicts/${segment(id)}`,
      });
      if (context.json) printJson(body);
      else out(verdictDetail(body));
    });
};

export const registerVerdicts = (program: Command): void => {
  const verdicts = program.command('verdicts').description('query stored verdicts: list, get');
  registerList(verdicts);
  registerGet(verdicts);
};
