/** `signup-gate backfill <file>`: screens existing users from a CSV or JSON-lines file (docs/cli.md). */
import { type Command, Option } from 'commander';
import { FORMATS, type RowFormat } from '../backfill/formats.js';
import { contextOf } from '../context.js';
import { positiveNumber, wholeNumber } from '../when.js';

interface BackfillCommandOptions {
  format?: RowFormat;
  concurrency: number;
  rate?: number;
  dryRun?: boolean;
  out?: string;
}

const HELP = `
Input: CSV with a header, or JSON lines, with the columns/keys email, phone, reference, ip
(at least email or phone per row). Auth0's user export works as is (phone_number, user_id).

Each row is sent with an Idempotency-Key derived from its content (an HMAC under the key in
~/.config/signup-gate/backfill-key, or SIGNUP_GATE_BACKFILL_KEY), so running the same file again
resumes: rows already screened are answered from their stored verdict with no new Defastra call.
Bad rows are reported with their line number and skipped. Ctrl-C stops cleanly (twice: at once).

Ends with: backfill: <n> screened, <a> allow, <r> review, <b> block, <e> failed

Examples:
  signup-gate backfill users.csv --dry-run
  signup-gate backfill auth0-export.json --concurrency 8 --rate 20 --out results.csv`;

export const registerBackfill = (program: Command): void => {
  program
    .command('backfill')
    .description('screen existing users from a CSV/JSON-lines file')
    .argument('<file>', 'the users (.csv, .jsonl, .ndjson, .json; optionally .gz)')
    .addOption(
      new Option('--format <format>', 'the file format (default: from the file name)').choices(FORMATS),
    )
    .option('--concurrency <n>', 'requests in flight at once', wholeNumber(1, 64), 4)
    .option('--rate <per-second>', 'start at most this many rows per second', positiveNumber(1000))
    .option('--dry-run', 'only count rows, duplicates and the Defastra calls a run would make')
    .option(
      '--out <results.csv>',
      'write one line per row: decision, reasons, verdict id, masked values only',
    )
    .addHelpText('after', HELP)
    .action(async (file: string, options: BackfillCommandOptions, command: Command) => {
      const context = contextOf(command);
      const { runBackfill } = await import('../backfill/run.js');
      process.exitCode = await runBackfill(
        {
          file,
          concurrency: options.concurrency,
          dryRun: options.dryRun === true,
          json: context.json,
          ...(options.format ? { format: options.format } : {}),
          ...(options.rate ? { rate: options.rate } : {}),
          ...(options.out ? { out: options.out } : {}),
        },
        context.target,
        process.env,
      );
    });
};
