/** Writing results: JSON for machines (`--json`), borderless tables and coloured words for people (NO_COLOR honoured). */
import Table from 'cli-table3';
import pc from 'picocolors';

export const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

export const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** The value as indented JSON on stdout: exactly what the API answered, for `--json`. */
export const printJson = (value: unknown): void => out(JSON.stringify(value, null, 2));

const BORDERLESS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

export type Cell = string | number | null | undefined;

/** A borderless, column-aligned table (kubectl style): easy to read and to grep. */
export const table = (head: string[], rows: Cell[][], align?: Array<'left' | 'right'>): string => {
  const t = new Table({
    head: head.map((h) => pc.bold(h)),
    chars: BORDERLESS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    ...(align ? { colAligns: align } : {}),
  });
  for (const row of rows)
    t.push(row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell))));
  return t
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
};

/** An ISO instant without its milliseconds (`2026-11-30T01:55:28Z`), for tables. */
export const shortTime = (iso: string | null | undefined): string | null =>
  iso ? iso.replace(/\.\d+Z$/, 'Z') : null;

/** How long ago, in at most 4 characters, kubectl style: `45s`, `12m`, `5h`, `36h`, `12d`, `400d`, `3y`. */
export const shortAge = (iso: string, nowMs: number = Date.now()): string => {
  const seconds = Math.max(0, Math.floor((nowMs - Date.parse(iso)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  return days < 730 ? `${days}d` : `${Math.floor(days / 365)}y`;
};

/** `text` cut to `max` characters, the last one an ellipsis when cut. */
export const clip = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** Key/value lines with aligned keys. */
export const fields = (pairs: Array<[string, Cell]>): string => {
  const width = Math.max(...pairs.map(([key]) => key.length));
  return pairs
    .map(
      ([key, value]) =>
        `${pc.dim(key.padEnd(width))}  ${value === null || value === undefined ? '-' : value}`,
    )
    .join('\n');
};

/** A decision word coloured by severity. */
export const decisionText = (decision: string): string => {
  if (decision === 'block') return pc.red(decision);
  if (decision === 'review') return pc.yellow(decision);
  if (decision === 'allow') return pc.green(decision);
  return decision;
};

export { pc };
