/** The API's shapes as the console reads them (design 1.4, 1.7, 1.11, 1.12): masked values only, never raw PII. */

export const DECISIONS = ['allow', 'review', 'block'] as const;
export type Decision = (typeof DECISIONS)[number];
export const SOURCES = ['auth0', 'stripe', 'api', 'cognito', 'supabase'] as const;
export type Source = (typeof SOURCES)[number];
export const RISK_LEVELS = ['low', 'medium', 'high', 'extreme'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface Check {
  code: string;
  result_type: 'risk' | 'trust' | 'neutral' | string;
  detail: string;
}

export interface IdentifierOutcome {
  masked: string;
  risk_level?: RiskLevel;
  risk_score?: number;
  request_id?: string;
  cached?: boolean;
  checks?: Check[];
  error?: { type: string; message: string };
  listed?: 'allow' | 'block';
  invalid?: boolean;
}

export interface Review {
  outcome: 'approve' | 'reject';
  note?: string | null;
  reviewed_at: string;
  reviewed_by: string;
}

export interface Verdict {
  verdict_id: string;
  created_at: string;
  source: Source;
  source_ref: string | null;
  subject_ref?: string | null;
  decision: Decision;
  reasons: Array<{ code: string; message: string }>;
  degraded: boolean;
  email: IdentifierOutcome | null;
  phone: IdentifierOutcome | null;
  policy_version: string;
  review?: Review | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type ReviewFilter = 'pending' | 'approved' | 'rejected';

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
  outcome: 'approve' | 'reject';
  note?: string;
  add_to_list?: boolean;
}

export const LIST_KINDS = ['email', 'email_domain', 'phone', 'ip'] as const;
export type ListKind = (typeof LIST_KINDS)[number];
export type ListAction = 'allow' | 'block';

export interface ListEntry {
  entry_id: string;
  kind: ListKind;
  action: ListAction;
  masked: string;
  note: string | null;
  created_at: string;
  created_by: string;
  expires_at: string | null;
}

export interface NewListEntry {
  kind: ListKind;
  value: string;
  action: ListAction;
  note?: string;
  expires_at?: string;
}

export interface StatsBucket {
  start: string;
  allow: number;
  review: number;
  block: number;
  degraded: number;
  by_source: Partial<Record<string, { allow: number; review: number; block: number }>>;
  defastra_calls: number;
  cache_hits: number;
  velocity: number;
  spend_limited: number;
}

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
