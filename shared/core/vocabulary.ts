/**
 * The domain's small vocabularies, each defined once: identifier kinds, list kinds and actions, review outcomes
 * and filters, velocity keys, and what a keyed hash is of. Levels, decisions and sources are in levels.ts.
 */

/** The identifiers a screening checks with Defastra. */
export const IDENTIFIER_KINDS = ['email', 'phone'] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

/** What an allow or block list entry names: an email, an email domain (and its subdomains), a phone, a client IP. */
export const LIST_KINDS = ['email', 'email_domain', 'phone', 'ip'] as const;
export type ListKind = (typeof LIST_KINDS)[number];

/** The two lists: an allow entry gives `allow`, a block entry `block`. */
export const LIST_ACTIONS = ['allow', 'block'] as const;
export type ListAction = (typeof LIST_ACTIONS)[number];

/** What an operator's review says of a verdict. */
export const REVIEW_OUTCOMES = ['approve', 'reject'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

/** The `review=` filter of a verdict listing: `pending` = decision `review` not reviewed yet. */
export const REVIEW_FILTERS = ['pending', 'approved', 'rejected'] as const;
export type ReviewFilter = (typeof REVIEW_FILTERS)[number];

/** The keys velocity counts signups under. */
export const VELOCITY_KEYS = ['ip', 'mailbox', 'email_domain'] as const;
export type VelocityKey = (typeof VELOCITY_KEYS)[number];

/** What later truth says of a signup (docs/outcomes.md): the label an outcome carries. */
export const OUTCOME_LABELS = ['fraud', 'legit'] as const;
export type OutcomeLabel = (typeof OUTCOME_LABELS)[number];

/** Who reported an outcome: an operator on one verdict, a backend through `POST /outcomes`, or Stripe. */
export const OUTCOME_SOURCES = ['manual', 'api', 'stripe'] as const;
export type OutcomeSource = (typeof OUTCOME_SOURCES)[number];

/** The caller's references a verdict can be found by (docs/outcomes.md): kept only as keyed hashes for that. */
export const REF_KINDS = ['subject_ref', 'source_ref'] as const;
export type RefKind = (typeof REF_KINDS)[number];

/** What a keyed hash is of; part of the hashed message, so values of different kinds never collide. */
export type HashKind = 'email' | 'phone' | 'ip' | 'mailbox' | 'email_domain' | 'request_body' | RefKind;

/** HMAC-SHA256 of a normalised value with the pepper (built by shared/screening/hashing.ts). */
export type KeyedHasher = (kind: HashKind, normalised: string) => string;
