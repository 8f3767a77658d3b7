/**
 * `signup-gate label import <file>`: labels the verdicts of every row of a CSV or JSON-lines file through
 * `POST /outcomes` (docs/outcomes.md), with the backfill's reader, progress and stop handling. A label the verdict
 * already carries is left as it is, so running the file again resumes it: rows done before change nothing.
 */
import PQueue from 'p-queue';
import type { LabelledAnswer } from '../../shared/api/outcomes.js';
import { callApi } from '../api.js';
import { createProgress, type ProgressView } from '../backfill/progress.js';
import { formatFromPath, type RowFormat, readRows } from '../backfill/rows.js';
import { isFatal } from '../backfill/run.js';
import { CliError, UsageError } from '../errors.js';
import { err, out, printJson } from '../output.js';
import type { ApiTarget } from '../target.js';
import { LABEL_ROWS, type LabelRow, labelBody } from './rows.js';

export interface LabelImportOptions {
  file: string;
  format?: RowFormat;
  concurrency: number;
  json: boolean;
}

export interface LabelTally {
  rows_done: number;
  labelled: number;
  failed: number;
}

export interface LabelImportSummary extends LabelTally {
  rows: number;
  bad_rows: number;
  /** Rows with no verdict to label (nothing stored for their email, phone or reference). */
  unmatched: number;
  not_done: number;
  interrupted: boolean;
}

const VIEW: ProgressView<LabelTally> = {
  name: 'label import',
  initial: { rows_done: 0, labelled: 0, failed: 0 },
  describe: (t) => `${t.labelled} verdicts labelled, ${t.failed} failed`,
};

/** The closing line, exactly as docs/cli.md shows it. */
export const labelSummaryLine = (s: LabelImportSummary): string =>
  `label import: ${s.rows_done} rows done, ${s.labelled} verdicts labelled, ${s.unmatched} rows matched none, ${s.failed} failed`;

export const runLabelImport = async (
  options: LabelImportOptions,
  resolveTarget: () => Promise<ApiTarget>,
): Promise<number> => {
  const format = options.format ?? formatFromPath(options.file);
  if (!format) {
    throw new UsageError(
      `cannot tell the format of ${options.file} from its name: pass --format csv or --format jsonl`,
    );
  }
  // Pass 1: count the rows (the progress total) and report the bad ones by line.
  let rows = 0;
  let bad = 0;
  for await (const event of readRows(options.file, format, LABEL_ROWS)) {
    rows++;
    if ('problem' in event) {
      bad++;
      err(`line ${event.line}: skipped: ${event.problem}`);
    }
  }
  const target = await resolveTarget();
  const tally: LabelTally = { rows_done: 0, labelled: 0, failed: 0 };
  let unmatched = 0;
  let fatal: unknown;
  const stopping = new AbortController();
  const queue = new PQueue({ concurrency: options.concurrency });
  const todo = rows - bad;
  const progress = createProgress(todo, process.stderr, VIEW);
  const stop = () => {
    if (stopping.signal.aborted) return;
    stopping.abort();
    queue.clear();
    if (!fatal) progress.log(`stopping: finishing ${queue.pending} rows in flight`);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const labelOne = async (line: number, row: LabelRow): Promise<void> => {
    if (stopping.signal.aborted) return;
    try {
      const { body } = await callApi<LabelledAnswer>(target, {
        method: 'POST',
        path: '/outcomes',
        body: labelBody(row),
      });
      tally.rows_done++;
      tally.labelled += body.labelled;
      if (body.labelled === 0) unmatched++;
    } catch (error) {
      if (isFatal(error)) {
        fatal ??= error;
        stop();
        return;
      }
      tally.failed++;
      progress.log(`line ${line}: failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    progress.update(tally.rows_done + tally.failed, tally);
  };

  try {
    for await (const event of readRows(options.file, format, LABEL_ROWS)) {
      if (stopping.signal.aborted) break;
      if ('problem' in event) continue; // reported by the first pass
      await queue.onSizeLessThan(options.concurrency * 2);
      if (stopping.signal.aborted) break;
      void queue.add(() => labelOne(event.line, event.row));
    }
    await queue.onIdle();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    progress.stop();
  }

  const summary: LabelImportSummary = {
    rows,
    ...tally,
    failed: tally.failed + bad,
    bad_rows: bad,
    unmatched,
    not_done: todo - tally.rows_done - tally.failed,
    interrupted: stopping.signal.aborted,
  };
  const notes: string[] = [];
  if (summary.not_done > 0) {
    notes.push(
      `${summary.not_done} rows not done yet: run the same command again to resume (rows done before change nothing)`,
    );
  }
  if (bad > 0) notes.push(`${bad} bad rows skipped (counted as failed)`);
  if (options.json) {
    printJson(summary);
    for (const note of notes) err(note);
    err(labelSummaryLine(summary));
  } else {
    for (const note of notes) out(note);
    out(labelSummaryLine(summary));
  }
  if (fatal) {
    throw fatal instanceof CliError ? new CliError(`label import stopped: ${fatal.message}`) : fatal;
  }
  return summary.failed > 0 || summary.not_done > 0 ? 1 : 0;
};
