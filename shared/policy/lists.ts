/** Allow and block lists (design 1.8): entries normalised once per policy, email domains matching subdomains. */
import { emailDomain, normaliseDomain, normaliseEmail, normalisePhone } from './identifiers.js';
import type { ResolvedPolicy } from './schema.js';

export type ListName = 'allow' | 'block';

/** Which list, if any, each identifier is on. A missing key means "on no list". */
export interface ListMatch {
  email?: ListName;
  phone?: ListName;
}

interface NormalisedList {
  emails: ReadonlySet<string>;
  domains: ReadonlySet<string>;
  phones: ReadonlySet<string>;
}

type NormalisedLists = Record<ListName, NormalisedList>;

const cache = new WeakMap<ResolvedPolicy, NormalisedLists>();

const normaliseAll = (values: readonly string[], normalise: (value: string) => string | null) => {
  const out = new Set<string>();
  for (const value of values) {
    const normalised = normalise(value);
    // Invalid entries are rejected by parsePolicy; a hand-built policy's invalid entry matches nothing.
    if (normalised !== null) out.add(normalised);
  }
  return out;
};

const normaliseList = (list: ResolvedPolicy['allow'], countryCode: string | null): NormalisedList => ({
  emails: normaliseAll(list.emails, normaliseEmail),
  domains: normaliseAll(list.email_domains, normaliseDomain),
  phones: normaliseAll(list.phones, (phone) => normalisePhone(phone, countryCode)),
});

/** The policy's lists in normalised form, computed once per policy object. */
const listsOf = (policy: ResolvedPolicy): NormalisedLists => {
  let lists = cache.get(policy);
  if (lists === undefined) {
    lists = {
      allow: normaliseList(policy.allow, policy.default_country_code),
      block: normaliseList(policy.block, policy.default_country_code),
    };
    cache.set(policy, lists);
  }
  return lists;
};

/** Whether `domain` is `listed` or one of its subdomains (`mail.example.com` is under `example.com`). */
const underAny = (domain: string, listed: ReadonlySet<string>): boolean => {
  if (listed.size === 0) return false;
  const labels = domain.split('.');
  for (let i = 0; i < labels.length; i++) {
    if (listed.has(labels.slice(i).join('.'))) return true;
  }
  return false;
};

const emailOn = (list: NormalisedList, email: string): boolean =>
  list.emails.has(email) || underAny(emailDomain(email), list.domains);

/**
 * Looks normalised identifiers up in the policy's allow and block lists. Allow wins over block for the
 * same identifier. `email` and `phone` must already be normalised (`null` when absent or invalid).
 */
export const matchLists = (policy: ResolvedPolicy, email: string | null, phone: string | null): ListMatch => {
  const lists = listsOf(policy);
  const match: ListMatch = {};
  if (email !== null) {
    if (emailOn(lists.allow, email)) match.email = 'allow';
    else if (emailOn(lists.block, email)) match.email = 'block';
  }
  if (phone !== null) {
    if (lists.allow.phones.has(phone)) match.phone = 'allow';
    else if (lists.block.phones.has(phone)) match.phone = 'block';
  }
  return match;
};
