/** policyDiff: every differing leaf by its dotted path, lists as whole values, absent keys named, `version` ignored. */
import { describe, expect, it } from 'vitest';
import { diffValue, policyDiff } from '../../shared/policy-lifecycle/diff.js';

describe('policyDiff', () => {
  it('names each changed leaf in key order and ignores the version name', () => {
    const before = {
      version: 'r1',
      mode: 'enforce',
      thresholds: { email: { review: 'medium', block: 'high' } },
    };
    const after = { version: 'r2', mode: 'enforce', thresholds: { email: { review: 'low', block: 'high' } } };
    expect(policyDiff(before, after)).toEqual([
      { path: 'thresholds.email.review', before: 'medium', after: 'low' },
    ]);
    expect(policyDiff(before, { ...before, version: 'other' })).toEqual([]);
  });

  it('compares lists whole and reports keys present on one side only', () => {
    const changes = policyDiff(
      { block: { emails: ['a@x.example'] }, sources: {} },
      { block: { emails: ['a@x.example', 'b@x.example'] }, sources: { auth0: { mode: 'monitor' } } },
    );
    expect(changes).toEqual([
      { path: 'block.emails', before: ['a@x.example'], after: ['a@x.example', 'b@x.example'] },
      { path: 'sources.auth0', before: undefined, after: { mode: 'monitor' } },
    ]);
    expect(diffValue(undefined)).toBe('(absent)');
    expect(diffValue(['a'])).toBe('["a"]');
  });
});
