/** `POST /replay`: a candidate policy and a range of stored verdicts; answered with what would change. */
import { type Decision, SOURCES } from '../core/levels.js';
import * as z from '../validation/zod.js';
import { isoDate } from './common.js';

export const replayBody = z.strictObject({
  policy: z.record(z.string(), z.unknown()),
  since: z.optional(isoDate),
  until: z.optional(isoDate),
  source: z.optional(z.enum(SOURCES)),
});
export type ReplayBody = z.input<typeof replayBody>;

/** One verdict whose decision the candidate changes. */
export interface ReplayItem {
  verdict_id: string;
  from: Decision;
  to: Decision;
}

/** The answer of `POST /replay`. */
export interface ReplayAnswer {
  total: number;
  changed: number;
  transitions: Record<string, Record<string, number>>;
  items: ReplayItem[];
  truncated: boolean;
  /** Verdicts the candidate could not re-decide without guessing, and why. */
  unresolved: Array<{ verdict_id: string; from: Decision; why: string }>;
}
