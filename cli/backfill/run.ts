/**
 * `signup-gate backfill`: screens the rows of a file through `POST /screen` with bounded concurrency and
 * rate (p-queue). Pass 1 counts and checks the rows (all `--dry-run` needs); pass 2 screens each distinct
 * row once, with a content-derived Idempotency-Key so that a rerun resumes without new Defastra calls.
 * Ctrl-C: the first stops taking rows and lets those in flight finish, a second abandons them; either way
 * `--out` is flushed and the summary printed.
 */
import PQueue from 'p-queue';
import { errorName } from '../../shared/core/errors.js';
import { ApiCallError, CliError, NetworkError, UsageError } from '../errors.js';
import { err, fields, out, printJson } from '../output.js';
import { isLocalUrl } from '../resolve-target.js';
import type { ApiTarget } from '../target.js';
import type { WireVerdict } from '../wire.js';
import { type BackfillPlan, planBackfill } from './plan.js';
import { createProgress, type Tally } from './progress.js';
import { openResults, type ResultsFile } from './results.js';
import { rowBody, rowFingerprint, rowKey } from './row-key.js';
import { type BackfillRow, formatFromPath, type RowFormat, readRows } from './rows.js';
import { screenRow } from './screen-row.js';
import { loadBackfillSecret } from './secret.js';

export interface BackfillOptions {
  file: string;
  format?: RowFormat;
  concurrency: number;
  /** Rows started per second, at most. */
  rate?: number;
  dryRun: boolean;
  out?: string;
  json: boolean;
}

export interface BackfillSummary extends Tally {
  rows: number;
  screened: number;
  /** Of `screened`, rows an earlier run had screened: answered from their stored verdicts, no Defastra call. */
  already_done: number;
  bad_rows: number;
  duplicates: number;
  not_done: number;
  interrupted: boolean;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const rows = (n: number): string => plural(n, 'row');

/** The closing line of a backfill, exactly as docs/cli.md shows it. */
export const summaryLine = (s: BackfillSummary): string =>
  `backfill: ${s.screened} screened, ${s.allow} allow, ${s.review} review, ${s.block} block, ${s.failed} failed`;

const printPlan = (file: string, format: RowFormat, plan: BackfillPlan, json: boolean): void => {
  const total = plan.calls.email + plan.calls.phone;
  if (json) {
    printJson({
      file,
      format,
      rows: plan.rows,
      bad_rows: plan.bad,
      duplicates: plan.duplicates,
      to_screen: plan.unique,
      defastra_calls: { email: plan.calls.email, phone: plan.calls.phone, total },
    });
    return;
  }
  out(`${file} (${format}): ${plan.rows} rows`);
  out(
    fields([
      ['bad rows', `${plan.bad}${plan.bad ? ' (reported above; skipped)' : ''}`],
      ['duplicates', `${plan.duplicates}${plan.duplicates ? ' (screened once)' : ''}`],
      ['to screen', plan.unique],
      ['Defastra calls', `at most ${total} (${plan.calls.email} email + ${plan.calls.phone} phone)`],
    ]),
  );
  out(
    'A row with an email and a phone costs up to 2 calls; an invalid email costs none. Lists, the cache,\n' +
      'velocity and spend limits, and rows an earlier run already screened make fewer.',
  );
};

/** Errors that no other row would escape either: stop the run instead of failing every row. */
export const isFatal = (error: unknown): boolean =>
  error instanceof NetworkError ||
  (error instanceof ApiCallError && (error.status === 401 || error.status === 403));

const isAbort = (error: unknown): boolean => errorName(error) === 'AbortError';

/** How far the server's clock may be from the `Date` it sent (1 s resolution) for a deployed API. */
const REMOTE_CLOCK_TOLERANCE_MS = 2_000;

/**
 * Tells rows an earlier run screened (their Idempotency-Key returns the stored verdict) from rows screened now:
 * a verdict created before this run started is an earlier run's. The local server shares our clock; a deployed
 * one is placed by its `Date` header, with a tolerance that can only count a just-finished earlier row as new.
 */
const earlierRunDetector = (target: ApiTarget, startedMs: number) => {
  const local = isLocalUrl(new URL(target.url));
  return (verdict: WireVerdict, clockOffsetMs: number | undefined): boolean => {
    const created = Date.parse(verdict.created_at);
    if (local) return created < startedMs;
    return created < startedMs + (clockOffsetMs ?? 0) - REMOTE_CLOCK_TOLERANCE_MS;
  };
};

export const runBackfill = async (
  options: BackfillOptions,
  resolveTarget: () => Promise<ApiTarget>,
  env: NodeJS.ProcessEnv,
): Promise<number> => {
  const format = options.format ?? formatFromPath(options.file);
  if (!format) {
    throw new UsageError(
      `cannot tell the format of ${options.file} from its name: pass --format csv or --format jsonl`,
    );
  }
  const plan = await planBackfill(options.file, format, (line, problem) =>
    err(`line ${line}: skipped: ${problem}`),
  );
  if (options.dryRun) {
    printPlan(options.file, format, plan, options.json);
    return 0;
  }
  const target = await resolveTarget();
  const secret = await loadBackfillSecret(env);
  const results: ResultsFile | undefined = options.out ? await openResults(options.out) : undefined;

  // Live counts of this run; the summary adds the bad rows to `failed`.
  const tally: Tally = { allow: 0, review: 0, block: 0, failed: 0 };
  let screened = 0;
  let alreadyDone = 0;
  let apiFailed = 0;
  let fatal: unknown;
  const stopping = new AbortController();
  const abandon = new AbortController();
  const queue = new PQueue({
    concurrency: options.concurrency,
    ...(options.rate ? { intervalCap: 1, interval: 1000 / options.rate } : {}),
  });
  err(
    `backfill: ${rows(plan.unique)} to screen${plan.duplicates ? `, ${plural(plan.duplicates, 'duplicate')} skipped` : ''}` +
      `${plan.bad ? `, ${plural(plan.bad, 'bad row')} skipped` : ''}; concurrency ${options.concurrency}` +
      `${options.rate ? `, at most ${options.rate} rows/s` : ''}`,
  );
  const progress = createProgress(plan.unique);
  const screenedEarlier = earlierRunDetector(target, Date.now());

  const stop = () => {
    if (!stopping.signal.aborted) {
      stopping.abort();
      queue.clear();
      if (!fatal) {
        progress.log(
          queue.pending > 0
            ? `stopping: finishing ${rows(queue.pending)} in flight (Ctrl-C again to abandon them)`
            : 'stopping: no row in flight',
        );
      }
    } else if (!abandon.signal.aborted) {
      abandon.abort();
      progress.log('abandoning the rows in flight');
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const screenOne = async (line: number, row: BackfillRow, body: string): Promise<void> => {
    if (stopping.signal.aborted) return;
    try {
      const { verdict, clockOffsetMs } = await screenRow({
        target,
        body,
        key: rowKey(secret, body),
        signal: abandon.signal,
        stopping: stopping.signal,
      });
      screened++;
      if (screenedEarlier(verdict, clockOffsetMs)) alreadyDone++;
      tally[verdict.decision]++;
      results?.verdict(line, row, verdict);
    } catch (error) {
      if (isAbort(error)) return; // left for the next run
      if (isFatal(error)) {
        fatal ??= error;
        stop();
        return;
      }
      apiFailed++;
      tally.failed++;
      const message = error instanceof Error ? error.message : String(error);
      progress.log(`line ${line}: failed: ${message}`);
      results?.failure(line, row, message);
    }
    progress.update(screened + apiFailed, tally);
  };

  try {
    const seen = new Set<string>();
    for await (const event of readRows(options.file, format)) {
      if (stopping.signal.aborted) break;
      if ('problem' in event) continue; // reported by the first pass
      const body = rowBody(event.row);
      const fingerprint = rowFingerprint(body);
      if (seen.has(fingerprint)) continue;
      seen.add(fingerprint);
      await queue.onSizeLessThan(options.concurrency * 2);
      if (stopping.signal.aborted) break;
      void queue.add(() => screenOne(event.line, event.row, body));
    }
    await queue.onIdle();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    progress.stop();
    await results?.close();
  }

  const summary: BackfillSummary = {
    rows: plan.rows,
    screened,
    already_done: alreadyDone,
    ...tally,
    failed: tally.failed + plan.bad,
    bad_rows: plan.bad,
    duplicates: plan.duplicates,
    not_done: plan.unique - screened - apiFailed,
    interrupted: stopping.signal.aborted,
  };
  const notes: string[] = [];
  if (summary.already_done > 0) {
    notes.push(
      `${summary.already_done} of these ${rows(screened)} were already done by an earlier run: answered from their stored verdicts, no Defastra call made for them`,
    );
  }
  if (summary.not_done > 0) {
    notes.push(
      `${rows(summary.not_done)} not screened yet: run the same command again to resume (done rows cost no new Defastra call)`,
    );
  }
  if (summary.bad_rows > 0 || summary.duplicates > 0) {
    notes.push(
      `${plural(summary.bad_rows, 'bad row')} skipped (counted as failed), ${plural(summary.duplicates, 'duplicate row')} screened once`,
    );
  }
  if (options.json) {
    printJson(summary);
    for (const note of notes) err(note);
    err(summaryLine(summary));
  } else {
    for (const note of notes) out(note);
    out(summaryLine(summary));
  }
  if (fatal) {
    throw fatal instanceof CliError ? new CliError(`backfill stopped: ${fatal.message}`) : fatal;
  }
  return summary.failed > 0 || summary.not_done > 0 ? 1 : 0;
};
