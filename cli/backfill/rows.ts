/**
 * Reads a CSV (with a header) or JSON-lines file row by row with its line number, for any row shape (a `RowSpec`:
 * its fields, their accepted names and limits). The backfill's rows: `email`, `phone`, `reference`, `ip`; Auth0's
 * user export works as is: `phone_number` counts as the phone, `user_id` as the reference, and its CSV escaping (a
 * leading `'` on every string) is undone. `label import` reads its own rows the same way (cli/labels/rows.ts).
 * A `.gz` file is read through gunzip. A bad row becomes a `problem` (never with the raw value in it).
 */
import { type FileHandle, open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type CsvError, parse } from 'csv-parse';
import { normaliseIp } from '../../shared/policy/identifiers.js';
import { CliError } from '../errors.js';

import type { RowFormat } from './formats.js';

export type { RowFormat } from './formats.js';

export interface BackfillRow {
  email?: string;
  phone?: string;
  reference?: string;
  ip?: string;
}

export type RowEvent<Row = BackfillRow> = { line: number; row: Row } | { line: number; problem: string };

/** A kind of row: its fields with their accepted names and longest values, and what makes a row usable. */
export interface RowSpec<Row> {
  /** Accepted names per field, first found wins. */
  aliases: Record<keyof Row & string, string[]>;
  /** The server's limits (a longer value would be refused there). */
  maxLength: Record<keyof Row & string, number>;
  /** At least one of these columns must be in a CSV header, */
  needs: string[];
  /** said so in the error (`email or phone`). */
  needsText: string;
  /** The row from its fields, or a problem (say which field, never the value). */
  finish(fields: Partial<Record<keyof Row & string, string>>): Row | string;
}

/** The backfill's rows (`POST /screen` bodies). */
export const BACKFILL_ROWS: RowSpec<BackfillRow> = {
  aliases: {
    email: ['email'],
    phone: ['phone', 'phone_number'],
    reference: ['reference', 'user_id'],
    ip: ['ip'],
  },
  maxLength: { email: 320, phone: 64, reference: 200, ip: 64 },
  needs: ['email', 'phone', 'phone_number'],
  needsText: 'email or phone',
  finish: (row) => (row.email === undefined && row.phone === undefined ? 'no email and no phone' : row),
};

/** `csv` for `.csv`, `jsonl` for `.jsonl`, `.ndjson` and `.json` (Auth0 names its NDJSON export `.json`), with or without `.gz`. */
export const formatFromPath = (path: string): RowFormat | undefined => {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson') || name.endsWith('.json')) return 'jsonl';
  return undefined;
};

/** Builds a row from a record's fields; a string problem when it cannot be used. */
export const rowFromRecord = <Row = BackfillRow>(
  record: Record<string, unknown>,
  csv: boolean,
  spec: RowSpec<Row> = BACKFILL_ROWS as unknown as RowSpec<Row>,
): Row | string => {
  type Field = keyof Row & string;
  const fields: Partial<Record<Field, string>> = {};
  for (const field of Object.keys(spec.aliases) as Field[]) {
    const name = spec.aliases[field].find(
      (n) => record[n] !== undefined && record[n] !== null && record[n] !== '',
    );
    if (name === undefined) continue;
    let value = record[name];
    if (typeof value === 'number' && field === 'phone') value = String(value);
    if (typeof value !== 'string') return `"${name}" is not a string`;
    let text = value.trim();
    if (csv && text.startsWith("'")) text = text.slice(1).trim();
    if (text === '') continue;
    const max = spec.maxLength[field];
    if (text.length > max) return `"${name}" is longer than ${max} characters`;
    // POST /screen refuses it (400): said here once, as a row problem, instead of one failed request per row.
    if (field === 'ip' && normaliseIp(text) === null) return `"${name}" is not one IPv4 or IPv6 address`;
    fields[field] = text;
  }
  return spec.finish(fields);
};

const openInput = async (path: string): Promise<{ input: Readable; close(): void }> => {
  // Opening first turns a missing or unreadable file into one clear error before any row is read.
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new CliError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const file = handle.createReadStream();
  const input = path.toLowerCase().endsWith('.gz') ? file.pipe(createGunzip()) : file;
  return {
    input,
    close: () => {
      input.destroy();
      file.destroy();
    },
  };
};

const CSV_PROBLEMS: Record<string, string> = {
  CSV_RECORD_INCONSISTENT_COLUMNS: 'wrong number of columns',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'wrong number of columns',
  CSV_INVALID_CLOSING_QUOTE: 'malformed quotes',
  CSV_QUOTE_NOT_CLOSED: 'a quote is never closed (the rest of the file cannot be read)',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'malformed quotes',
};

async function* csvRows<Row>(
  input: Readable,
  path: string,
  spec: RowSpec<Row>,
): AsyncGenerator<RowEvent<Row>> {
  const known = Object.values<string[]>(spec.aliases).flat();
  const hasNeeded = (names: string[] | undefined) =>
    names?.some((name) => spec.needs.includes(name)) ?? false;
  const missing = `${path}: the header has no ${spec.needsText} column`;
  const skipped: RowEvent<Row>[] = [];
  let header: string[] | undefined;
  const parser = input.pipe(
    parse({
      bom: true,
      columns: (names: string[]) => {
        header = names.map((n) => n.trim().toLowerCase());
        return header;
      },
      info: true,
      raw: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        const line = Number((error as { lines?: unknown } | undefined)?.lines ?? 0);
        skipped.push({
          line,
          problem: CSV_PROBLEMS[error?.code ?? ''] ?? `unreadable CSV (${error?.code ?? 'error'})`,
        });
      },
    }),
  );
  let checkedHeader = false;
  for await (const item of parser as AsyncIterable<{
    record: Record<string, unknown>;
    info: { lines: number };
    raw: string;
  }>) {
    if (!checkedHeader) {
      checkedHeader = true;
      if (!hasNeeded(header)) throw new CliError(`${missing} (columns: ${known.join(', ')})`);
    }
    // info.lines is the record's last line: count back over the line breaks inside it.
    const breaks = item.raw.replace(/\r?\n$/, '').split('\n').length - 1;
    const line = item.info.lines - breaks;
    // The parser reads ahead, so skipped records may be known before earlier good ones: keep file order.
    while (skipped.length > 0 && skipped[0]!.line < line) yield skipped.shift()!;
    const row = rowFromRecord(item.record, true, spec);
    yield typeof row === 'string' ? { line, problem: row } : { line, row };
  }
  if (!checkedHeader && header && !hasNeeded(header)) throw new CliError(missing);
  yield* skipped.splice(0);
}

async function* jsonlRows<Row>(
  input: Readable,
  path: string,
  spec: RowSpec<Row>,
): AsyncGenerator<RowEvent<Row>> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  let first = true;
  for await (const rawLine of lines) {
    line++;
    const text = (line === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine).trim();
    if (text === '') continue;
    if (first && text.startsWith('[')) {
      throw new CliError(
        `${path}: a JSON array; this reads JSON lines, one object per line (jq -c '.[]' converts it)`,
      );
    }
    first = false;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      yield { line, problem: 'not valid JSON' };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { line, problem: 'not a JSON object' };
      continue;
    }
    const row = rowFromRecord(value as Record<string, unknown>, false, spec);
    yield typeof row === 'string' ? { line, problem: row } : { line, row };
  }
}

/** Every row of the file, in order (backfill rows by default). Throws CliError for a file that cannot be read at all. */
export async function* readRows<Row = BackfillRow>(
  path: string,
  format: RowFormat,
  spec: RowSpec<Row> = BACKFILL_ROWS as unknown as RowSpec<Row>,
): AsyncGenerator<RowEvent<Row>> {
  const { input, close } = await openInput(path);
  try {
    yield* format === 'csv' ? csvRows(input, path, spec) : jsonlRows(input, path, spec);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`${path}: cannot read (${code ?? (error as Error).message})`);
  } finally {
    close();
  }
}
