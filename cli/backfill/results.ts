/**
 * `--out results.csv`: one line per row screened or failed, with masked values only (the verdict's own
 * masks; for a failed row, masked here the same way), never a raw email, phone or IP, and no field a spreadsheet
 * would run as a formula.
 */

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { maskEmail, maskPhone, normaliseEmail } from '../../shared/policy/identifiers.js';
import { maskReference } from '../../shared/screening/redact.js';
import { CliError } from '../errors.js';
import type { WireVerdict } from '../wire.js';
import type { BackfillRow } from './rows.js';

const COLUMNS = [
  'line',
  'reference',
  'email',
  'phone',
  'decision',
  'degraded',
  'reasons',
  'verdict_id',
  'error',
];

/**
 * One CSV field. Text a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return: `=HYPERLINK(...)`, `@A1`, `+1+1`, a masked email `=***@x.example`) gets a leading `'`, which spreadsheets
 * read as "this is text"; then quotes where CSV needs them.
 */
export const csvField = (value: string | number | boolean | null | undefined): string => {
  let text = value === null || value === undefined ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

const maskedEmail = (email: string | undefined): string => {
  if (email === undefined) return '';
  const normalised = normaliseEmail(email);
  return normalised ? maskEmail(normalised) : 'invalid email';
};

export interface ResultsFile {
  verdict(line: number, row: BackfillRow, verdict: WireVerdict): void;
  failure(line: number, row: BackfillRow, message: string): void;
  close(): Promise<void>;
}

export const openResults = async (path: string): Promise<ResultsFile> => {
  const stream: WriteStream = createWriteStream(path, { encoding: 'utf8' });
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new CliError(`--out ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const write = (fields: Array<string | number | boolean | null | undefined>) =>
    stream.write(`${fields.map(csvField).join(',')}\r\n`);
  write(COLUMNS);
  return {
    verdict: (line, row, v) =>
      write([
        line,
        v.source_ref ?? maskReference(row.reference),
        v.email?.masked,
        v.phone?.masked,
        v.decision,
        v.degraded,
        v.reasons.map((r) => r.code).join(' '),
        v.verdict_id,
        '',
      ]),
    failure: (line, row, message) =>
      write([
        line,
        maskReference(row.reference),
        maskedEmail(row.email),
        row.phone ? maskPhone(row.phone) : '',
        '',
        '',
        '',
        '',
        message,
      ]),
    close: async () => {
      stream.end();
      await once(stream, 'finish');
    },
  };
};
