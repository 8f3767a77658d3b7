/** The in-memory adapter's runtime policy versions and shadow (see memory.ts): plain records, the same rules as DynamoDB. */
import type { PolicyHead, PolicyVersionRepository, StoredPolicyVersion } from './ports.js';

const copy = <T>(value: T): T => structuredClone(value);

/** Versions by number and the shadow slot; every value in or out is a copy. */
export const memoryPolicies = (): PolicyVersionRepository => {
  const versions = new Map<number, StoredPolicyVersion>();
  let shadow: StoredPolicyVersion | null = null;
  let shadowSeq = 0;
  const newest = (): StoredPolicyVersion | null => {
    let best: StoredPolicyVersion | null = null;
    for (const version of versions.values()) if (!best || version.seq > best.seq) best = version;
    return best;
  };
  return {
    async head(): Promise<PolicyHead> {
      return copy({ active: newest(), shadow, shadowSeq });
    },
    async append(version) {
      if (versions.has(version.seq)) return false;
      versions.set(version.seq, copy(version));
      return true;
    },
    async get(seq) {
      const version = versions.get(seq);
      return version ? copy(version) : null;
    },
    async list({ before, limit }) {
      return [...versions.values()]
        .filter((version) => before === undefined || version.seq < before)
        .sort((a, b) => b.seq - a.seq)
        .slice(0, limit)
        .map(({ document: _document, ...info }) => copy(info));
    },
    async putShadow(next) {
      if (next.seq !== shadowSeq + 1) return false;
      shadow = copy(next);
      shadowSeq = next.seq;
      return true;
    },
    async clearShadow() {
      if (shadow === null) return false;
      shadow = null;
      return true;
    },
  };
};
