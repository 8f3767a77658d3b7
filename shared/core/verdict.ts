/**
 * The verdict object of docs/verdict.md (what every screening route returns and what the store keeps) and the small types
 * it is made of. At the bottom of the import graph: store, Defastra, policy and screening all build on it.
 */
import type { Decision, RiskLevel, Source } from './levels.js';
import type {
  ListAction,
  ListKind,
  OutcomeLabel,
  OutcomeSource,
  ReviewOutcome,
  VelocityKey,
} from './vocabulary.js';

export type ResultType = 'risk' | 'trust' | 'neutral';

/** One fraud check outcome, e.g. `{ code: 'EMAIL_DISPOSABLE', result_type: 'risk', detail: '...' }`. */
export interface Check {
  code: string;
  result_type: ResultType;
  detail: string;
}

/** One allow or block list entry that matched; `entryId` is set for runtime entries (docs/lists.md). */
export interface ListHit {
  /** What the entry matched: the email (or its domain), the phone, or the client IP. */
  subject: ListKind;
  list: ListAction;
  entryId?: string;
}

/** A velocity key whose distinct count (this screening included) reached a threshold (docs/waves.md). */
export interface VelocityHit {
  key: VelocityKey;
  count: number;
  threshold: number;
  decision: 'review' | 'block';
}

export const REASON_CODES = [
  'allowlist',
  'blocklist',
  'email_risk',
  'phone_risk',
  'defastra_error',
  'invalid_email',
  'invalid_phone',
  'no_identifiers',
  'velocity',
  'spend_limit',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface Reason {
  code: ReasonCode;
  message: string;
}

/** One identifier's part of a verdict. Exactly one of: a result, an error, a list hit, or invalid. */
export interface IdentifierOutcome {
  masked: string;
  risk_level?: RiskLevel;
  risk_score?: number;
  request_id?: string;
  cached?: boolean;
  checks?: Check[];
  error?: { type: string; message: string };
  listed?: ListAction;
  invalid?: true;
}

/** An operator's review of a verdict (docs/reviews.md); a later review replaces the earlier one. */
export interface Review {
  outcome: ReviewOutcome;
  note: string | null;
  reviewed_at: string;
  /** The IAM principal ARN in AWS, `local` locally. */
  reviewed_by: string;
}

/** Whether a policy's decisions act (`enforce`) or are only recorded (`monitor`: the caller is asked to allow). */
export type PolicyMode = 'enforce' | 'monitor';

/** Where a provisional (degraded) verdict's re-screening stands (docs/verdict.md, provisional verdicts). */
export interface RescreenState {
  status: 'pending' | 'done' | 'gave_up';
  attempts: number;
  /** When the next attempt is due (ISO 8601); null once done or given up. */
  next_at: string | null;
}

/** What was done at the provider for a final block, or to undo it (docs/enforcement.md). */
export interface Enforcement {
  status: 'pending' | 'done' | 'failed' | 'undone';
  action: 'block' | 'unblock';
  at: string;
  error?: string;
}

/** The decision the shadow policy would have made from the same answers, lists and counts. */
export interface ShadowDecision {
  version: string;
  decision: Decision;
}

/** What happened to the signup later: the truth a policy is judged by. */
export interface Outcome {
  label: OutcomeLabel;
  source: OutcomeSource;
  note: string | null;
  labelled_at: string;
  /** The IAM principal ARN in AWS, `local` locally, or the provider that reported it. */
  labelled_by: string;
}

export interface Verdict {
  verdict_id: string;
  created_at: string;
  source: Source;
  source_ref: string | null;
  /** The provider's opaque id of the person (Stripe customer, Auth0 user id...), never an email or phone. */
  subject_ref: string | null;
  decision: Decision;
  reasons: Reason[];
  degraded: boolean;
  email: IdentifierOutcome | null;
  phone: IdentifierOutcome | null;
  policy_version: string;
  review: Review | null;
  /** What the caller is asked to do: the decision in `enforce` mode, `allow` in `monitor` mode. */
  action: Decision;
  mode: PolicyMode;
  /** Set on provisional (degraded) verdicts; null otherwise. */
  rescreen: RescreenState | null;
  /** What was answered at signup, once a re-screen changed the verdict; null otherwise. */
  provisional_decision: Decision | null;
  rescreened_at: string | null;
  enforcement: Enforcement | null;
  shadow: ShadowDecision | null;
  outcome: Outcome | null;
}

/** Fields added after the first verdicts were stored: an older verdict reads without them. */
type LaterField =
  | 'subject_ref'
  | 'review'
  | 'action'
  | 'mode'
  | 'rescreen'
  | 'provisional_decision'
  | 'rescreened_at'
  | 'enforcement'
  | 'shadow'
  | 'outcome';

/** A verdict with every later field set: the value an older stored verdict reads as. */
export const withVerdictDefaults = (
  stored: Omit<Verdict, LaterField> & Partial<Pick<Verdict, LaterField>>,
): Verdict => ({
  ...stored,
  subject_ref: stored.subject_ref ?? null,
  review: stored.review ?? null,
  action: stored.action ?? stored.decision,
  mode: stored.mode ?? 'enforce',
  rescreen: stored.rescreen ?? null,
  provisional_decision: stored.provisional_decision ?? null,
  rescreened_at: stored.rescreened_at ?? null,
  enforcement: stored.enforcement ?? null,
  shadow: stored.shadow ?? null,
  outcome: stored.outcome ?? null,
});

/**
 * What a replay (docs/reviews.md) needs besides the verdict and cannot read from it: the runtime list entries and the
 * velocity keys that decided it, kept as recorded; and what enforcement needs to find the account. Stored with the
 * verdict, never returned by the API.
 */
export interface DecisionFacts {
  /** Runtime list entries that matched (policy-file hits are re-evaluated from the candidate policy instead). */
  runtimeLists: ListHit[];
  velocity: VelocityHit[];
  /** Where the account lives at the provider beyond `subject_ref`, for enforcement (docs/enforcement.md). */
  account?: AccountLocation;
}

/** Cognito: the user pool the trigger ran for (a `userName` is unique within its pool only). */
export interface AccountLocation {
  userPoolId?: string;
}

/** A verdict plus the keyed hashes the store indexes it by (never the raw values). */
export interface VerdictRecord {
  verdict: Verdict;
  emailHash: string | null;
  phoneHash: string | null;
  facts: DecisionFacts;
  /** Epoch seconds after which the record may be deleted (`retention_days`). */
  expiresAt: number;
  /**
   * Keyed hashes of the `subject_ref` and `source_ref` the caller gave, when any: what `POST /outcomes` finds the
   * verdict by (docs/outcomes.md). Absent on records stored before they were kept.
   */
  refHashes?: RefHashes;
  /**
   * Set when the screening added the verdict's statistics counters itself, beside its write (a spend cap is set: the
   * hour's Defastra-call total must count it at once). Otherwise they are added off the request path, from the store's
   * change feed locally and the table's stream in AWS (docs/capacity.md), which leave a counted verdict alone.
   */
  counted?: true;
}

/** Keyed hashes of a verdict's references as given (null when it has none). */
export interface RefHashes {
  subject_ref: string | null;
  source_ref: string | null;
}
