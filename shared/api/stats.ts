/** `GET /stats`: the range and bucket size asked for, and the buckets answered (oldest first, empty ones with zeros). */
import * as z from '../validation/zod.js';
import { isoDate } from './common.js';

export const BUCKET_SIZES = ['hour', 'day'] as const;
export type BucketSize = (typeof BUCKET_SIZES)[number];

export const statsQuery = z.strictObject({
  since: z.optional(isoDate),
  until: z.optional(isoDate),
  bucket: z.optional(z.enum(BUCKET_SIZES)),
});

export interface StatsBucket {
  start: string;
  allow: number;
  review: number;
  block: number;
  degraded: number;
  by_source: Record<string, { allow: number; review: number; block: number }>;
  defastra_calls: number;
  cache_hits: number;
  velocity: number;
  spend_limited: number;
  /** Verdicts decided in monitor mode (the caller was asked to allow whatever the decision). */
  monitored: number;
  /** While a shadow policy is set: live decision × the shadow's decision, counted per verdict. */
  shadow?: Record<string, Record<string, number>>;
}

/** The answer of `GET /stats`. */
export interface StatsAnswer {
  buckets: StatsBucket[];
}
