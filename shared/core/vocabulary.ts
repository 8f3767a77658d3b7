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

/** What a keyed hash is of; part of the hashed message, so values of different kinds never collide. */
export type HashKind = 'email' | 'phone' | 'ip' | 'mailbox' | 'email_domain' | 'request_body';

/** HMAC-SHA256 of a normalised value with the pepper (built by shared/screening/hashing.ts). */
export type KeyedHasher = (kind: HashKind, normalised: string) => string;
