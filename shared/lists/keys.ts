/** Runtime list look-ups (docs/lists.md): the keys a screening reads, and the hits its entries make. */

import type { ListHit } from '../core/verdict.js';
import { domainAndParents } from '../policy/lists.js';
import type { ListKey, StoredListEntry } from '../store/ports.js';

/** The values of a screening that runtime entries may name: keyed hashes, and the plain email domain. */
export interface RuntimeListSubject {
  emailHash: string | null;
  emailDomain: string | null;
  phoneHash: string | null;
  ipHash: string | null;
}

/** Every key to read: the email, its domain and each parent domain, the phone, the IP. */
export const runtimeListKeys = (subject: RuntimeListSubject): ListKey[] => {
  const keys: ListKey[] = [];
  if (subject.emailHash) keys.push({ kind: 'email', valueKey: subject.emailHash });
  if (subject.emailDomain) {
    for (const domain of domainAndParents(subject.emailDomain))
      keys.push({ kind: 'email_domain', valueKey: domain });
  }
  if (subject.phoneHash) keys.push({ kind: 'phone', valueKey: subject.phoneHash });
  if (subject.ipHash) keys.push({ kind: 'ip', valueKey: subject.ipHash });
  return keys;
};

/** The hits of the entries found, each naming its entry. */
export const runtimeListHits = (entries: readonly StoredListEntry[]): ListHit[] =>
  entries.map(({ entry }) => ({ subject: entry.kind, list: entry.action, entryId: entry.entry_id }));
