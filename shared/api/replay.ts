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

/** Labelled verdicts (docs/outcomes.md) per decision: how many are known fraud, how many known good. */
export type OutcomeTable = Record<Decision, { fraud: number; legit: number }>;

/** How a set of decisions fares on the labelled verdicts: the table, and its two shares (null: none labelled so). */
export interface OutcomeFigures {
  outcomes: OutcomeTable;
  /** Of the fraud-labelled verdicts, the share decided review or block. */
  fraud_caught: number | null;
  /** Of the legit-labelled verdicts, the share decided block. */
  legit_blocked: number | null;
}

/**
 * The answer of `POST /replay`: the transitions, and (docs/outcomes.md) the labelled verdicts under the candidate's
 * decisions (`outcomes`, `fraud_caught`, `legit_blocked`) and, for comparison, under the stored ones (`current`).
 */
export interface ReplayAnswer extends OutcomeFigures {
  total: number;
  changed: number;
  transitions: Record<string, Record<string, number>>;
  items: ReplayItem[];
  truncated: boolean;
  /** Verdicts the candidate could not re-decide without guessing, and why. */
  unresolved: Array<{ verdict_id: string; from: Decision; why: string }>;
  /** The same labelled verdicts under the decisions they were given. */
  current: OutcomeFigures;
}
