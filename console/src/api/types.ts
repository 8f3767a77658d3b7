/** The API's shapes as the console reads them (design 1.4, 1.7, 1.11, 1.12): masked values only, never raw PII. */

import type { Decision, Source } from '../../../shared/core/levels.js';
import type { ListAction, ListKind, ReviewFilter, ReviewOutcome } from '../../../shared/core/vocabulary.js';
import type { StatsBucket } from '../../../shared/stats/buckets.js';

export type { Decision, RiskLevel, Source } from '../../../shared/core/levels.js';
export { DECISIONS, RISK_LEVELS, SOURCES } from '../../../shared/core/levels.js';
export type { Check, IdentifierOutcome, Review, Verdict } from '../../../shared/core/verdict.js';

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface VerdictFilters {
  email?: string;
  phone?: string;
  decision?: Decision;
  source?: Source;
  review?: ReviewFilter;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

export interface ReviewRequest {
  outcome: ReviewOutcome;
  note?: string;
  add_to_list?: boolean;
}

export type { ListAction, ListKind, ReviewFilter, ReviewOutcome } from '../../../shared/core/vocabulary.js';
export { LIST_ACTIONS, LIST_KINDS, REVIEW_FILTERS } from '../../../shared/core/vocabulary.js';
export type { ListEntry } from '../../../shared/store/port.js';

export interface NewListEntry {
  kind: ListKind;
  value: string;
  action: ListAction;
  note?: string;
  expires_at?: string;
}

export type { StatsBucket } from '../../../shared/stats/buckets.js';

export interface Stats {
  buckets: StatsBucket[];
}

export interface ReplayRequest {
  policy: unknown;
  since?: string;
  until?: string;
  source?: Source;
}

export interface ReplayItem {
  verdict_id: string;
  from: Decision;
  to: Decision;
}

export interface ReplayResult {
  total: number;
  changed: number;
  transitions: Partial<Record<Decision, Partial<Record<Decision, number>>>>;
  items: ReplayItem[];
  truncated: boolean;
  /** Verdicts the replay could not re-decide (e.g. decided by a list, never checked), when the API reports them. */
  unresolved?: Array<{ verdict_id?: string; from?: Decision; why?: string } | string>;
}

/** What the console server tells the page about itself (never a credential of the target). */
export interface SessionInfo {
  csrf_token: string;
  expires_at: string;
  target: { url: string; auth: 'bearer' | 'sigv4' };
}
