/** The JSON shapes the CLI reads from the API (design 1.4, 1.7, 1.11, 1.12): the server's own types, under the names the CLI uses. */

import type { Check, IdentifierOutcome, Review, Verdict } from '../shared/core/verdict.js';
import type { ReplayResult } from '../shared/replay/replay.js';
import type { StatsBucket } from '../shared/stats/buckets.js';
import type { ListEntry } from '../shared/store/port.js';

export type WireCheck = Check;
export type WireIdentifier = IdentifierOutcome;
export type WireReview = Review;
export type WireVerdict = Verdict;

export interface WirePage<T> {
  items: T[];
  next_cursor: string | null;
}

export type WireListEntry = ListEntry;
export type WireStatsBucket = StatsBucket;
export type WireStats = { buckets: StatsBucket[] };

/** The replay's answer; whatever else the server reports is printed as found. */
export type WireReplay = ReplayResult & { [extra: string]: unknown };
