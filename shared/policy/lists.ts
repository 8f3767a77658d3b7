/**
 * The policy file's allow and block lists (docs/policy.md), matched by keyed hash: entries are normalised and hashed
 * once per policy, so a screening (raw values in memory) and a replay (stored hashes only) match the same way.
 * Email domains match the domain and its subdomains. Which hits decide a screening (docs/lists.md, precedence).
 */
import type { ListHit } from '../core/verdict.js';
import {
  type IdentifierKind,
  type KeyedHasher,
  LIST_ACTIONS,
  type ListAction,
  type ListKind,
} from '../core/vocabulary.js';
import { MAX_DOMAIN_LABELS, normaliseDomain, normaliseEmail, normalisePhone } from './identifiers.js';
import type { ResolvedPolicy } from './schema.js';

/** What list matching sees of a screening or a stored verdict: keyed hashes and the (public) email domain. */
export interface ListSubjectKeys {
  emailHash: string | null;
  /** The normalised email's domain (shown in the masked email, so not secret). */
  emailDomain: string | null;
  phoneHash: string | null;
}

interface HashedList {
  emails: ReadonlySet<string>;
  domains: ReadonlySet<string>;
  phones: ReadonlySet<string>;
}

type HashedLists = Record<ListAction, HashedList>;

const cache = new WeakMap<ResolvedPolicy, WeakMap<KeyedHasher, HashedLists>>();

const collect = (
  values: readonly string[],
  normalise: (value: string) => string | null,
  map = (v: string) => v,
) => {
  const out = new Set<string>();
  for (const value of values) {
    const normalised = normalise(value);
    // Invalid entries are rejected by parsePolicy; a hand-built policy's invalid entry matches nothing.
    if (normalised !== null) out.add(map(normalised));
  }
  return out;
};

const hashList = (
  list: ResolvedPolicy['allow'],
  countryCode: string | null,
  hash: KeyedHasher,
): HashedList => ({
  emails: collect(list.emails, normaliseEmail, (email) => hash('email', email)),
  domains: collect(list.email_domains, normaliseDomain),
  phones: collect(
    list.phones,
    (phone) => normalisePhone(phone, countryCode),
    (phone) => hash('phone', phone),
  ),
});

/** The policy's lists, normalised and hashed once per (policy, hasher). */
const listsOf = (policy: ResolvedPolicy, hash: KeyedHasher): HashedLists => {
  let byHasher = cache.get(policy);
  if (byHasher === undefined) {
    byHasher = new WeakMap();
    cache.set(policy, byHasher);
  }
  let lists = byHasher.get(hash);
  if (lists === undefined) {
    lists = {
      allow: hashList(policy.allow, policy.default_country_code, hash),
      block: hashList(policy.block, policy.default_country_code, hash),
    };
    byHasher.set(hash, lists);
  }
  return lists;
};

/**
 * `domain` and each of its parents, longest first: `a.b.example.com`, `b.example.com`, `example.com`, `com`. Only
 * those of at most MAX_DOMAIN_LABELS labels, the most a list entry may have: a domain of 124 labels makes 10 look-ups,
 * not 124.
 */
export const domainAndParents = (domain: string): string[] => {
  const labels = domain.split('.');
  const first = Math.max(0, labels.length - MAX_DOMAIN_LABELS);
  return labels.slice(first).map((_label, i) => labels.slice(first + i).join('.'));
};

/**
 * The policy-file list entries that match `subject`, at most one per subject and list. Allow and block hits are
 * both reported; `decidingLists` tells which decide.
 */
export const policyListHits = (
  policy: ResolvedPolicy,
  hash: KeyedHasher,
  subject: ListSubjectKeys,
): ListHit[] => {
  const lists = listsOf(policy, hash);
  const hits: ListHit[] = [];
  for (const list of LIST_ACTIONS) {
    const entries = lists[list];
    const add = (on: boolean, what: ListKind) => {
      if (on) hits.push({ subject: what, list });
    };
    add(subject.emailHash !== null && entries.emails.has(subject.emailHash), 'email');
    add(
      subject.emailDomain !== null &&
        entries.domains.size > 0 &&
        domainAndParents(subject.emailDomain).some((d) => entries.domains.has(d)),
      'email_domain',
    );
    add(subject.phoneHash !== null && entries.phones.has(subject.phoneHash), 'phone');
  }
  return hits;
};

/** An allow entry for the exact email or phone: the only hit that beats a block entry (docs/lists.md). */
export const isExactAllow = (hit: ListHit): boolean =>
  hit.list === 'allow' && (hit.subject === 'email' || hit.subject === 'phone');

/** The list hits that decide, and their action. */
export interface ListDecision {
  list: ListAction;
  hits: ListHit[];
}

/**
 * Which list hits decide a screening (docs/lists.md): an exact email or phone allow entry → allow; else any block
 * entry (email, domain, phone or IP) → block; else, unless a velocity key reached its block threshold, an email-domain
 * or IP allow entry → allow. Null when no list decides (a velocity block, or no hit).
 */
export const decidingLists = (hits: readonly ListHit[], velocityBlock: boolean): ListDecision | null => {
  const exact = hits.filter(isExactAllow);
  if (exact.length > 0) return { list: 'allow', hits: exact };
  const blocks = hits.filter((hit) => hit.list === 'block');
  if (blocks.length > 0) return { list: 'block', hits: blocks };
  if (velocityBlock) return null;
  const broad = hits.filter((hit) => hit.list === 'allow');
  return broad.length > 0 ? { list: 'allow', hits: broad } : null;
};

/** The list that decided an identifier (an entry naming it, its domain included, was among the deciding hits). */
export const listedBy = (
  hits: readonly ListHit[],
  kind: IdentifierKind,
  velocityBlock = false,
): ListAction | undefined => {
  const decided = decidingLists(hits, velocityBlock);
  const subjects: readonly ListKind[] = kind === 'email' ? ['email', 'email_domain'] : ['phone'];
  return decided?.hits.some((hit) => subjects.includes(hit.subject)) ? decided.list : undefined;
};
