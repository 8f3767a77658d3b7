/** The first pass over a backfill file: rows, bad rows (reported by line), duplicates and the Defastra calls to expect. */
import { callsFor, rowBody, rowFingerprint } from './row-key.js';
import { type RowFormat, readRows } from './rows.js';

export interface BackfillPlan {
  /** Non-empty data rows in the file. */
  rows: number;
  bad: number;
  /** Rows identical to an earlier one once normalised: screened once. */
  duplicates: number;
  /** Rows to screen. */
  unique: number;
  /** At most this many Defastra calls, per check (see callsFor). */
  calls: { email: number; phone: number };
}

export const planBackfill = async (
  path: string,
  format: RowFormat,
  onBad: (line: number, problem: string) => void,
): Promise<BackfillPlan> => {
  const plan: BackfillPlan = { rows: 0, bad: 0, duplicates: 0, unique: 0, calls: { email: 0, phone: 0 } };
  const seen = new Set<string>();
  for await (const event of readRows(path, format)) {
    plan.rows++;
    if ('problem' in event) {
      plan.bad++;
      onBad(event.line, event.problem);
      continue;
    }
    const fingerprint = rowFingerprint(rowBody(event.row));
    if (seen.has(fingerprint)) {
      plan.duplicates++;
      continue;
    }
    seen.add(fingerprint);
    plan.unique++;
    const calls = callsFor(event.row);
    plan.calls.email += calls.email;
    plan.calls.phone += calls.phone;
  }
  return plan;
};
