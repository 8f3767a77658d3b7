/** The overview's shadow panel (docs/policy-lifecycle.md): live decision × shadow decision, summed over the buckets. */
import { DECISIONS, type Decision, type StatsBucket } from '../api/types.js';

export type ShadowTotals = Record<Decision, Record<Decision, number>>;

/** The transitions of the period, or null when no verdict of it was decided under a shadow. */
export const shadowTotals = (buckets: StatsBucket[]): ShadowTotals | null => {
  const totals = Object.fromEntries(
    DECISIONS.map((live) => [live, Object.fromEntries(DECISIONS.map((s) => [s, 0]))]),
  ) as ShadowTotals;
  let any = false;
  for (const bucket of buckets) {
    for (const live of DECISIONS) {
      for (const shadow of DECISIONS) {
        const n = bucket.shadow?.[live]?.[shadow] ?? 0;
        if (n > 0) any = true;
        totals[live][shadow] += n;
      }
    }
  }
  return any ? totals : null;
};
