/** Allow and block lists: normalised entries, domain and subdomain matching, the precedence of docs/lists.md, then decide. */
import { describe, expect, it } from 'vitest';
import { decide, type IdentifierInput, resolveForSource } from '../../shared/policy/decide.js';
import { emailDomain, normaliseEmail, normalisePhone } from '../../shared/policy/identifiers.js';
import { listedBy, policyListHits } from '../../shared/policy/lists.js';
import {
  DEFAULT_POLICY,
  type PolicyFile,
  parsePolicy,
  type ResolvedPolicy,
} from '../../shared/policy/schema.js';
import { createHasher } from '../../shared/screening/hashing.js';

const hash = createHasher('lists-test-pepper-0123456789');

/** Which list each (normalised) identifier is on, through the keyed-hash matching screening and replay use. */
const matchLists = (policy: ResolvedPolicy, email: string | null, phone: string | null) => {
  const hits = policyListHits(policy, hash, {
    emailHash: email === null ? null : hash('email', email),
    emailDomain: email === null ? null : emailDomain(email),
    phoneHash: phone === null ? null : hash('phone', phone),
  });
  const match: { email?: 'allow' | 'block'; phone?: 'allow' | 'block' } = {};
  const e = listedBy(hits, 'email');
  const p = listedBy(hits, 'phone');
  if (e) match.email = e;
  if (p) match.phone = p;
  return match;
};

const resolved = (file: PolicyFile, source: 'auth0' | 'stripe' | 'api' = 'api') =>
  resolveForSource(parsePolicy(file), source);

/** What screening does: normalise, match the lists, then decide with the results it has. */
const screen = (
  policy: ResolvedPolicy,
  rawEmail: string | null,
  rawPhone: string | null,
  results: { email?: IdentifierInput; phone?: IdentifierInput } = {},
) => {
  const email = rawEmail === null ? null : normaliseEmail(rawEmail);
  const phone = rawPhone === null ? null : normalisePhone(rawPhone, policy.default_country_code);
  const listed = matchLists(policy, email, phone);
  const anyListed = listed.email !== undefined || listed.phone !== undefined;
  const input = (
    raw: string | null,
    norm: string | null,
    list: 'allow' | 'block' | undefined,
    got?: IdentifierInput,
  ) => {
    if (raw === null) return { status: 'absent' } as const;
    if (norm === null) return { status: 'invalid' } as const;
    if (list) return { status: 'listed', list } as const;
    if (anyListed) return { status: 'skipped' } as const;
    return got ?? ({ status: 'result', riskLevel: 'low' } as const);
  };
  return decide(
    policy,
    'api',
    input(rawEmail, email, listed.email, results.email),
    input(rawPhone, phone, listed.phone, results.phone),
  );
};

describe('matchLists', () => {
  it('matches nothing with the default (empty) lists', () => {
    expect(matchLists(DEFAULT_POLICY, 'a@example.com', '33612345678')).toEqual({});
    expect(matchLists(DEFAULT_POLICY, null, null)).toEqual({});
  });

  it('normalises list emails like identifiers (case, spaces), without dot or plus folding', () => {
    const policy = resolved({ block: { emails: ['  John.Doe@Example.COM '] } });
    expect(matchLists(policy, 'john.doe@example.com', null)).toEqual({ email: 'block' });
    expect(matchLists(policy, 'johndoe@example.com', null)).toEqual({});
    expect(matchLists(policy, 'john.doe+x@example.com', null)).toEqual({});
  });

  describe('email domains match the domain and its subdomains', () => {
    const policy = resolved({ block: { email_domains: ['Example.com', '@Spam.io'] } });
    it.each([
      ['a@example.com', 'block'],
      ['a@mail.example.com', 'block'],
      ['a@deep.mail.example.com', 'block'],
      ['a@spam.io', 'block'],
      ['a@badexample.com', undefined],
      ['a@example.com.evil.org', undefined],
      ['a@example.co', undefined],
      ['a@com', undefined],
    ])('%s → %s', (email, list) => {
      expect(matchLists(policy, email, null).email).toBe(list);
    });
  });

  it('a top-level domain entry matches every address under it', () => {
    const policy = resolved({ block: { email_domains: ['xyz'] } });
    expect(matchLists(policy, 'a@shop.xyz', null)).toEqual({ email: 'block' });
    expect(matchLists(policy, 'a@xyz.com', null)).toEqual({});
  });

  it('phones written in different formats match the same number', () => {
    const policy = resolved({
      default_country_code: '33',
      block: { phones: ['+33 6 12 34 56 78', '0033 7.11.22.33.44', '06-99-88-77-66', '(+44) 20 7946 0958'] },
    });
    for (const raw of ['+33612345678', '06 12 34 56 78', '0033612345678', '+33 (0)6 12 34 56 78']) {
      expect(matchLists(policy, null, normalisePhone(raw, '33')).phone, raw).toBe('block');
    }
    expect(matchLists(policy, null, '33711223344')).toEqual({ phone: 'block' });
    expect(matchLists(policy, null, '33699887766')).toEqual({ phone: 'block' });
    expect(matchLists(policy, null, '442079460958')).toEqual({ phone: 'block' });
    expect(matchLists(policy, null, '33612345679')).toEqual({});
  });

  it('list phones use the default_country_code of the source', () => {
    const policy = parsePolicy({
      default_country_code: '33',
      allow: { phones: ['06 12 34 56 78'] },
      sources: { stripe: { default_country_code: '44' } },
    });
    expect(matchLists(resolveForSource(policy, 'api'), null, '33612345678')).toEqual({ phone: 'allow' });
    expect(matchLists(resolveForSource(policy, 'stripe'), null, '33612345678')).toEqual({});
    expect(matchLists(resolveForSource(policy, 'stripe'), null, '44612345678')).toEqual({ phone: 'allow' });
  });

  it('allow wins over block for the same identifier', () => {
    const policy = resolved({
      allow: { emails: ['ceo@example.com'], phones: ['+33612345678'] },
      block: { email_domains: ['example.com'], phones: ['+33 6 12 34 56 78'] },
    });
    expect(matchLists(policy, 'ceo@example.com', '33612345678')).toEqual({ email: 'allow', phone: 'allow' });
    expect(matchLists(policy, 'cfo@example.com', null)).toEqual({ email: 'block' });
  });

  it('a blocked address beats its allowed domain (only an exact allow entry beats a block)', () => {
    const policy = resolved({
      allow: { email_domains: ['example.com'] },
      block: { emails: ['x@mail.example.com'] },
    });
    expect(matchLists(policy, 'x@mail.example.com', null)).toEqual({ email: 'block' });
    expect(matchLists(policy, 'y@mail.example.com', null)).toEqual({ email: 'allow' });
  });

  it('per-source lists apply to that source only', () => {
    const policy = parsePolicy({ sources: { stripe: { block: { email_domains: ['example.com'] } } } });
    expect(matchLists(resolveForSource(policy, 'stripe'), 'a@example.com', null)).toEqual({ email: 'block' });
    expect(matchLists(resolveForSource(policy, 'auth0'), 'a@example.com', null)).toEqual({});
  });

  it('gives the same answers on repeated calls (lists cached per policy object)', () => {
    const policy = resolved({ block: { emails: ['a@example.com'] } });
    const other = resolved({ allow: { emails: ['a@example.com'] } });
    for (let n = 0; n < 3; n++) {
      expect(matchLists(policy, 'a@example.com', null)).toEqual({ email: 'block' });
      expect(matchLists(other, 'a@example.com', null)).toEqual({ email: 'allow' });
    }
  });

  it('ignores an invalid entry in a hand-built policy instead of matching everything', () => {
    const policy: ResolvedPolicy = {
      ...DEFAULT_POLICY,
      block: { emails: ['not an email'], email_domains: [''], phones: ['0612'] },
    };
    expect(matchLists(policy, 'a@example.com', '33612345678')).toEqual({});
  });
});

describe('precedence end to end (lists, then thresholds)', () => {
  const policy = resolved({
    default_country_code: '33',
    allow: { email_domains: ['partner.com'], phones: ['06 00 00 00 01'] },
    block: { email_domains: ['spam.io'], phones: ['+33 6 00 00 00 02'], emails: ['boss@partner.com'] },
  });
  const extreme: IdentifierInput = { status: 'result', riskLevel: 'extreme' };

  it('an exact allow entry beats a block entry; a block entry beats a domain allow entry', () => {
    expect(screen(policy, 'a@spam.io', '0600000001')).toMatchObject({
      decision: 'allow',
      reasons: [{ code: 'allowlist', message: 'the phone is on the allow list' }],
    });
    expect(screen(policy, 'boss@partner.com', null)).toMatchObject({
      decision: 'block',
      reasons: [{ code: 'blocklist', message: 'the email is on the block list' }],
    });
    expect(screen(policy, 'a@partner.com', '+33 6 00 00 00 02').decision).toBe('block');
  });

  it('allow list beats thresholds', () => {
    expect(screen(policy, 'a@mail.partner.com', '0612345678', { phone: extreme }).decision).toBe('allow');
  });

  it('block list beats thresholds', () => {
    expect(screen(policy, 'a@example.com', '+33 6 00 00 00 02').decision).toBe('block');
    expect(screen(policy, 'a@news.spam.io', null)).toMatchObject({
      decision: 'block',
      reasons: [{ code: 'blocklist', message: 'the email is on the block list' }],
    });
  });

  it('thresholds apply when nothing is listed', () => {
    expect(screen(policy, 'a@example.com', null).decision).toBe('allow');
    expect(screen(policy, 'a@example.com', null, { email: extreme }).decision).toBe('block');
  });

  it('reasons never carry the raw identifiers', () => {
    const outcome = screen(policy, 'a@news.spam.io', '0600000002');
    for (const reason of outcome.reasons) {
      expect(reason.message).not.toMatch(/spam|0600|33600/);
    }
  });
});
