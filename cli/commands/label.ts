/**
 * `signup-gate label <id> fraud|legit` labels one verdict with what it turned out to be (`POST
 * /verdicts/{id}/outcome`); `signup-gate label import <file>` labels the verdicts of every row of a file through
 * `POST /outcomes` (docs/outcomes.md).
 */
import { Argument, type Command, Option } from 'commander';
import { MAX_OUTCOME_NOTE } from '../../shared/api/outcomes.js';
import { OUTCOME_LABELS, type OutcomeLabel } from '../../shared/core/vocabulary.js';
import { callApi, segment } from '../api.js';
import { FORMATS, type RowFormat } from '../backfill/formats.js';
import { contextOf } from '../context.js';
import { UsageError } from '../errors.js';
import { out, printJson } from '../output.js';
import { verdictDetail } from '../render/verdict.js';
import { wholeNumber } from '../when.js';
import type { WireVerdict } from '../wire.js';

const IMPORT_HELP = `
Input: CSV with a header, or JSON lines, with the columns/keys label (fraud or legit) and at least one
of email, phone, subject_ref, source_ref (optionally note). Each row labels every stored verdict of
its email, phone or references (POST /outcomes). A verdict that already carries the label is left as
it is, so running the same file again resumes it. Bad rows are reported by line and skipped.

Ends with: label import: <n> rows done, <v> verdicts labelled, <u> rows matched none, <e> failed

Example:
  signup-gate label import chargebacks.csv`;

export const registerLabel = (program: Command): void => {
  const label = program
    .command('label')
    .description('label a verdict fraud or legit (what it turned out to be), or import labels from a file')
    .argument('<id>', 'the verdict id')
    .addArgument(new Argument('<label>', 'fraud or legit').choices(OUTCOME_LABELS))
    .option('--note <text>', `why (at most ${MAX_OUTCOME_NOTE} characters)`)
    .addHelpText(
      'after',
      '\nA later label replaces an earlier one; it counts over a review (docs/outcomes.md).\n\nExamples:\n  signup-gate label 01JDX3K8Y0Q5W6Z8N2M4P6R8T0 fraud --note "chargeback"\n  signup-gate label import chargebacks.csv',
    )
    .action(async (id: string, value: OutcomeLabel, options: { note?: string }, command: Command) => {
      if (options.note !== undefined && options.note.length > MAX_OUTCOME_NOTE) {
        throw new UsageError(`--note: at most ${MAX_OUTCOME_NOTE} characters`);
      }
      const context = contextOf(command);
      const body: Record<string, unknown> = { label: value };
      if (options.note !== undefined) body.note = options.note;
      const { body: verdict } = await callApi<WireVerdict>(await context.target(), {
        method: 'POST',
        path: `/verdicts/${segment(id)}/outcome`,
        body,
      });
      if (context.json) return printJson(verdict);
      out(verdictDetail(verdict));
    });

  label
    .command('import')
    .description('label the verdicts of every row of a CSV/JSON-lines file')
    .argument('<file>', 'the labels (.csv, .jsonl, .ndjson, .json; optionally .gz)')
    .addOption(
      new Option('--format <format>', 'the file format (default: from the file name)').choices(FORMATS),
    )
    .option('--concurrency <n>', 'requests in flight at once', wholeNumber(1, 64), 4)
    .addHelpText('after', IMPORT_HELP)
    .action(async (file: string, options: { format?: RowFormat; concurrency: number }, command: Command) => {
      const context = contextOf(command);
      const { runLabelImport } = await import('../labels/import.js');
      process.exitCode = await runLabelImport(
        {
          file,
          concurrency: options.concurrency,
          json: context.json,
          ...(options.format ? { format: options.format } : {}),
        },
        context.target,
      );
    });
};
