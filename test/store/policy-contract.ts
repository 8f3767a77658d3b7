/** The PolicyVersionRepository contract, written once and run against every adapter (memory.test.ts, dynamodb.test.ts). */
import { describe, expect, it } from 'vitest';
import type { PolicyVersionRepository, StoredPolicyVersion } from '../../shared/store/ports.js';

/** A fresh, empty repository. */
export type PolicyRepositoryFactory = () => Promise<PolicyVersionRepository>;

export const policyVersion = (
  seq: number,
  overrides: Partial<StoredPolicyVersion> = {},
): StoredPolicyVersion => ({
  seq,
  version: `r${seq}`,
  created_at: new Date(Date.UTC(2026, 10, 26, 6, seq)).toISOString(),
  created_by: 'arn:aws:iam::123456789012:user/ops',
  comment: `change ${seq}`,
  document: { version: `r${seq}`, thresholds: { email: { review: 'low', block: null } }, sources: {} },
  ...overrides,
});

const summary = ({ document: _document, ...info }: StoredPolicyVersion) => info;

export const policyRepositoryContract = (name: string, factory: PolicyRepositoryFactory): void => {
  describe(`${name}: policy versions`, () => {
    it('starts empty: no version, no shadow', async () => {
      const repo = await factory();
      expect(await repo.head()).toEqual({ active: null, shadow: null, shadowSeq: 0 });
      expect(await repo.list({ limit: 10 })).toEqual([]);
      expect(await repo.get(1)).toBeNull();
    });

    it('appends versions once per number; the newest is the head; documents come back exactly', async () => {
      const repo = await factory();
      const document = {
        version: 'r1',
        mode: 'monitor',
        default_country_code: null,
        allow: { emails: [], email_domains: ['example.com'], phones: [] },
        sources: { stripe: { thresholds: { phone: { block: null } } } },
      };
      expect(await repo.append(policyVersion(1, { document, comment: null }))).toBe(true);
      expect(await repo.append(policyVersion(1, { comment: 'a second writer with the same number' }))).toBe(
        false,
      );
      expect(await repo.append(policyVersion(2))).toBe(true);
      expect(await repo.get(1)).toEqual(policyVersion(1, { document, comment: null }));
      expect((await repo.head()).active).toEqual(policyVersion(2));
      // Numbers sort as numbers, not as text (r10 after r9).
      for (let seq = 3; seq <= 10; seq++) expect(await repo.append(policyVersion(seq))).toBe(true);
      expect((await repo.head()).active?.version).toBe('r10');
    });

    it('lists newest first without documents, page by page below a number', async () => {
      const repo = await factory();
      for (const seq of [3, 1, 12, 2, 11]) await repo.append(policyVersion(seq));
      expect(await repo.list({ limit: 10 })).toEqual([12, 11, 3, 2, 1].map((s) => summary(policyVersion(s))));
      expect((await repo.list({ limit: 2 })).map((v) => v.seq)).toEqual([12, 11]);
      expect((await repo.list({ before: 11, limit: 2 })).map((v) => v.seq)).toEqual([3, 2]);
      expect((await repo.list({ before: 2, limit: 2 })).map((v) => v.seq)).toEqual([1]);
      expect(await repo.list({ before: 1, limit: 2 })).toEqual([]);
    });

    it('sets a shadow under a number that only grows; clearing keeps the number used', async () => {
      const repo = await factory();
      const s1 = policyVersion(1, { version: 's1' });
      expect(await repo.putShadow(policyVersion(2, { version: 's2' }))).toBe(false);
      expect(await repo.putShadow(s1)).toBe(true);
      expect(await repo.putShadow(s1)).toBe(false);
      expect(await repo.head()).toEqual({ active: null, shadow: s1, shadowSeq: 1 });
      expect(await repo.clearShadow()).toBe(true);
      expect(await repo.clearShadow()).toBe(false);
      expect(await repo.head()).toEqual({ active: null, shadow: null, shadowSeq: 1 });
      const s2 = policyVersion(2, { version: 's2', comment: null });
      expect(await repo.putShadow(s2)).toBe(true);
      await repo.append(policyVersion(1));
      expect(await repo.head()).toEqual({ active: policyVersion(1), shadow: s2, shadowSeq: 2 });
      // Shadows are not versions of the active line.
      expect((await repo.list({ limit: 10 })).map((v) => v.version)).toEqual(['r1']);
    });

    it('lets exactly one of many concurrent writers of the same number win', async () => {
      const repo = await factory();
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) => repo.append(policyVersion(1, { comment: `writer ${i}` }))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const shadows = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          repo.putShadow(policyVersion(1, { version: 's1', comment: `${i}` })),
        ),
      );
      expect(shadows.filter(Boolean)).toHaveLength(1);
    });

    it('keeps what it was given, not a reference to it', async () => {
      const repo = await factory();
      const version = policyVersion(1);
      await repo.append(version);
      (version.document as { mode?: string }).mode = 'monitor';
      const read = await repo.get(1);
      expect(read?.document.mode).toBeUndefined();
    });
  });
};
