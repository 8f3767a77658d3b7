/** The backfill file formats (kept apart from the reader so `--help` does not load csv-parse). */
export const FORMATS = ['csv', 'jsonl'] as const;
export type RowFormat = (typeof FORMATS)[number];
