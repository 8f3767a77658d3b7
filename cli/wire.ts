/** The JSON shapes the CLI reads from the API (design 1.4, 1.7, 1.11, 1.12), as the wire carries them. */
import type { Decision, RiskLevel, Source } from '../shared/policy/levels.js';

export interface WireCheck {
  code: string;
  result_type?: string;
  detail?: string;
}

export interface WireIdentifier {
  masked: string;
  risk_level?: RiskLevel;
  risk_score?: number;
  request_id?: string;
  cached?: boolean;
  checks?: WireCheck[];
  error?: { type: string; message: string };
  listed?: 'allow' | 'block';
  invalid?: true;
}

export interface WireReview {
  outcome: 'approve' | 'reject';
  note: string | null;
  reviewed_at: string;
  reviewed_by: string;
}

export interface WireVerdict {
  verdict_id: string;
  created_at: string;
  source: Source;
  source_ref: string | null;
  subject_ref?: string | null;
  decision: Decision;
  reasons: Array<{ code: string; message: string }>;
  degraded: boolean;
  email: WireIdentifier | null;
  phone: WireIdentifier | null;
  policy_version: string;
  review?: WireReview | null;
}

export interface WirePage<T> {
  items: T[];
  next_cursor: string | null;
}

export const LIST_KINDS = ['email', 'email_domain', 'phone', 'ip'] as const;
export type ListKind = (typeof LIST_KINDS)[number];
export const LIST_ACTIONS = ['allow', 'block'] as const;
export type ListAction = (typeof LIST_ACTIONS)[number];

export interface WireListEntry {
  entry_id: string;
  kind: ListKind;
  action: ListAction;
  masked: string;
  note: string | null;
  created_at: string;
  created_by: string;
  expires_at: string | null;
}

export interface WireStatsBucket {
  start: string;
  allow: number;
  review: number;
  block: number;
  degraded: number;
  by_source: Partial<Record<Source, { allow: number; review: number; block: number }>>;
  defastra_calls: number;
  cache_hits: number;
  velocity: number;
  spend_limited: number;
}

export interface WireStats {
  buckets: WireStatsBucket[];
}

export interface WireReplay {
  total: number;
  changed: number;
  transitions: Partial<Record<Decision, Partial<Record<Decision, number>>>>;
  items: Array<{ verdict_id: string; from: Decision; to: Decision }>;
  truncated: boolean;
  /** Whatever else the server reports (e.g. verdicts it could not re-decide): printed as found. */
  [extra: string]: unknown;
}
