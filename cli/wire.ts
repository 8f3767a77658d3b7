/** The JSON shapes the CLI reads from the API: the verdict (shared/core) and the API's own shapes (shared/api). */

import type { ListEntry } from '../shared/api/lists.js';
import type { OutcomeTable, ReplayAnswer } from '../shared/api/replay.js';
import type { StatsAnswer, StatsBucket } from '../shared/api/stats.js';
import type { Check, IdentifierOutcome, Review, Verdict } from '../shared/core/verdict.js';

export type { Page as WirePage } from '../shared/api/common.js';
export type WireCheck = Check;
export type WireIdentifier = IdentifierOutcome;
export type WireReview = Review;
export type WireVerdict = Verdict;
export type WireListEntry = ListEntry;
export type WireStatsBucket = StatsBucket;
export type WireStats = StatsAnswer;

export type { OutcomeTable };

/**
 * The replay's answer; whatever else the server reports is printed as found. The outcome figures are optional: a
 * server from before outcomes does not send them.
 */
export type WireReplay = Omit<ReplayAnswer, 'outcomes' | 'current'> &
  Partial<Pick<ReplayAnswer, 'outcomes' | 'current'>> & { [extra: string]: unknown };
