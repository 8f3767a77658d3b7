/** `signup-gate lists list|add|remove`: the runtime allow and block lists (`GET|POST /lists`, `DELETE /lists/{id}`, docs/lists.md). */
import { Argument, type Command, Option } from 'commander';
import { LIST_ACTIONS, LIST_KINDS } from '../../shared/core/vocabulary.js';
import { callApi, queryString, segment } from '../api.js';
import { contextOf } from '../context.js';
import { UsageError } from '../errors.js';
import { decisionText, fields, out, pc, printJson, shortTime, table } from '../output.js';
import { parseWhen, wholeNumber } from '../when.js';
import type { WireListEntry, WirePage } from '../wire.js';
import { MAX_NOTE } from './review.js';

const entryTable = (items: WireListEntry[]): string =>
  table(
    ['ENTRY', 'ACTION', 'KIND', 'VALUE', 'NOTE', 'CREATED', 'BY', 'EXPIRES'],
    items.map((e) => [
      e.entry_id,
      decisionText(e.action),
      e.kind,
      e.masked,
      e.note,
      shortTime(e.created_at),
      e.created_by,
      shortTime(e.expires_at),
    ]),
  );

interface ListOptions {
  kind?: string;
  action?: string;
  limit?: number;
  cursor?: string;
  all?: boolean;
}

const registerListEntries = (lists: Command): void => {
  lists
    .command('list')
    .description('show runtime list entries (GET /lists)')
    .addOption(new Option('--kind <kind>', 'only this kind').choices(LIST_KINDS))
    .addOption(new Option('--action <action>', 'only allow or only block entries').choices(LIST_ACTIONS))
    .option('--limit <n>', 'page size, 1 to 100', wholeNumber(1, 100))
    .option('--cursor <cursor>', 'the next_cursor of the previous page')
    .option('--all', 'follow next_cursor until the last page')
    .action(async (options: ListOptions, command: Command) => {
      const context = contextOf(command);
      const target = await context.target();
      const items: WireListEntry[] = [];
      let cursor = options.cursor;
      let next: string | null = null;
      do {
        const path = `/lists${queryString({
          kind: options.kind,
          action: options.action,
          limit: options.limit ?? (options.all ? 100 : undefined),
          cursor,
        })}`;
        const { body } = await callApi<WirePage<WireListEntry>>(target, { method: 'GET', path });
        items.push(...body.items);
        next = body.next_cursor;
        cursor = next ?? undefined;
      } while (options.all && next);
      if (context.json) return printJson({ items, next_cursor: next });
      out(items.length === 0 ? 'no list entries' : entryTable(items));
      if (next) out(pc.dim(`more: add --cursor ${next} (or --all)`));
    });
};

interface AddOptions {
  note?: string;
  expires?: string;
}

const registerAdd = (lists: Command): void => {
  lists
    .command('add')
    .description('allow or block an email, an email domain, a phone or an IP (POST /lists)')
    .addArgument(new Argument('<action>', 'allow or block').choices(LIST_ACTIONS))
    .addArgument(new Argument('<kind>', 'what the value is').choices(LIST_KINDS))
    .argument('<value>', 'the email, domain, phone or IP')
    .option('--note <text>', `why (at most ${MAX_NOTE} characters)`)
    .option(
      '--expires <when>',
      'when the entry stops applying: ISO 8601, or a duration from now (12h, 30d)',
      (v) => parseWhen(v, Date.now(), 'future'),
    )
    .addHelpText(
      'after',
      '\nThe same action, kind and value again returns the existing entry.\n\nExamples:\n  signup-gate lists add block email_domain spammy.example --note "wave of 2026-11-28"\n  signup-gate lists add allow email ceo@example.com --expires 30d',
    )
    .action(async (action: string, kind: string, value: string, options: AddOptions, command: Command) => {
      if (options.note !== undefined && options.note.length > MAX_NOTE) {
        throw new UsageError(`--note: at most ${MAX_NOTE} characters`);
      }
      const context = contextOf(command);
      const body: Record<string, string> = { kind, value, action };
      if (options.note !== undefined) body.note = options.note;
      if (options.expires !== undefined) body.expires_at = options.expires;
      const { status, body: entry } = await callApi<WireListEntry>(await context.target(), {
        method: 'POST',
        path: '/lists',
        body,
      });
      if (context.json) return printJson(entry);
      out(status === 201 ? `added ${entry.entry_id}` : `already listed as ${entry.entry_id}`);
      out(
        fields([
          ['action', decisionText(entry.action)],
          ['kind', entry.kind],
          ['value', entry.masked],
          ['note', entry.note],
          ['created', `${entry.created_at} by ${entry.created_by}`],
          ['expires', entry.expires_at ?? 'never'],
        ]),
      );
    });
};

const registerRemove = (lists: Command): void => {
  lists
    .command('remove')
    .description('delete a list entry (DELETE /lists/{entry_id})')
    .argument('<entry_id>', 'the entry id shown by lists list')
    .action(async (entryId: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      await callApi<null>(await context.target(), { method: 'DELETE', path: `/lists/${segment(entryId)}` });
      if (context.json) printJson({ entry_id: entryId, removed: true });
      else out(`removed ${entryId}`);
    });
};

export const registerLists = (program: Command): void => {
  const lists = program.command('lists').description('runtime allow/block lists: list, add, remove');
  registerListEntries(lists);
  registerAdd(lists);
  registerRemove(lists);
};
