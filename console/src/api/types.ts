/**
 * The API's shapes as the console reads them: the verdict (shared/core) and the API's own request and answer shapes
 * (shared/api), plus what only the page needs. Masked values only, never raw PII.
 */

import type { ReplayAnswer } from '../../../shared/api/replay.js';
import type { Decision, Source } from '../../../shared/core/levels.js';
import type { ReviewFilter } from '../../../shared/core/vocabulary.js';

export type { Page } from '../../../shared/api/common.js';
export type { ListEntry, ListEntryBody as NewListEntry } from '../../../shared/api/lists.js';
export type {
  QualityAnswer,
  QualityBucket,
  QualityFigures,
} from '../../../shared/api/outcomes.js';
export type {
  PolicyDocument,
  PolicyVersionAnswer,
  PolicyVersionSummary,
} from '../../../shared/api/policy.js';
export type { ReplayBody as ReplayRequest } from '../../../shared/api/replay.js';
export type { StatsAnswer as Stats, StatsBucket } from '../../../shared/api/stats.js';
export type { ReviewBody as ReviewRequest } from '../../../shared/api/verdicts.js';
export type { Decision, RiskLevel, Source } from '../../../shared/core/levels.js';
export { DECISIONS, RISK_LEVELS, SOURCES } from '../../../shared/core/levels.js';
export type { Check, IdentifierOutcome, Review, Verdict } from '../../../shared/core/verdict.js';
export type { ListAction, ListKind, ReviewFilter, ReviewOutcome } from '../../../shared/core/vocabulary.js';
export { LIST_ACTIONS, LIST_KINDS, REVIEW_FILTERS } from '../../../shared/core/vocabulary.js';

/** The filters of the verdicts and what-if views, as typed values (the client writes them as query parameters). */
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

export type { ReplayItem } from '../../../shared/api/replay.js';

/**
 * The replay answer as the what-if view reads it: `unresolved` tolerated absent, or as bare verdict ids, and the
 * outcome tables absent, so a server of another version still renders.
 */
export type ReplayResult = Omit<ReplayAnswer, 'unresolved' | 'outcomes' | 'current'> &
  Partial<Pick<ReplayAnswer, 'outcomes' | 'current'>> & {
    unresolved?: Array<{ verdict_id?: string; from?: Decision; why?: string } | string>;
  };

/** What the console server tells the page about itself (never a credential of the target). */
export interface SessionInfo {
  csrf_token: string;
  expires_at: string;
  target: { url: string; auth: 'bearer' | 'sigv4' };
}
