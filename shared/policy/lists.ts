/**
 * The policy file's allow and block lists (docs/policy.md), matched by keyed hash: entries are normalised and hashed
 * once per policy, so a screening (raw values in memory) and a replay (stored hashes only) match the same way.
 * Email domains match the domain and its subdomains.
 */
import type { ListHit } from '../core/verdict.js';
import {
  type IdentifierKind,
  type KeyedHasher,
  LIST_ACTIONS,
  type ListAction,
  type ListKind,
} from '../core/vocabulary.js';
import { normaliseDomain, normaliseEmail, normalisePhone } from './identifiers.js';
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

/** `domain` and each of its parents, longest first: `a.b.example.com`, `b.example.com`, `example.com`, `com`. */
export const domainAndParents = (domain: string): string[] => {
  const labels = domain.split('.');
  return labels.map((_label, i) => labels.slice(i).join('.'));
};

/**
 * The policy-file list entries that match `subject`, at most one per subject and list. Allow and block hits are
 * both reported; `decide` gives allow precedence.
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

/** Which list wins for the identifiers a hit marks as `listed`: allow over block. */
export const listedBy = (hits: readonly ListHit[], kind: IdentifierKind): ListAction | undefined => {
  const subjects: readonly ListKind[] = kind === 'email' ? ['email', 'email_domain'] : ['phone'];
  const mine = hits.filter((hit) => subjects.includes(hit.subject));
  if (mine.some((hit) => hit.list === 'allow')) return 'allow';
  if (mine.some((hit) => hit.list === 'block')) return 'block';
  return undefined;
};
