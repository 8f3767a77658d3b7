/** Property tests: decisions are monotone in risk, normalisation is idempotent, masks hide what they must. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Decision, RiskLevel, Source } from '../../shared/core/levels.js';
import {
  decide,
  type IdentifierInput,
  identifierDecision,
  resolveForSource,
} from '../../shared/policy/decide.js';
import {
  maskEmail,
  maskPhone,
  normaliseDomain,
  normaliseEmail,
  normalisePhone,
} from '../../shared/policy/identifiers.js';
import { parsePolicy } from '../../shared/policy/schema.js';

const LEVELS: RiskLevel[] = ['low', 'medium', 'high', 'extreme'];
const ORDER: Record<Decision, number> = { allow: 0, review: 1, block: 2 };

const level = fc.constantFrom(...LEVELS);
const threshold = fc.constantFrom<RiskLevel | null>(...LEVELS, null);
const decision = fc.constantFrom<Decision>('allow', 'review', 'block');
const source = fc.constantFrom<Source>('auth0', 'stripe', 'api');
const pair = fc.record({ review: threshold, block: threshold }, { requiredKeys: [] });
const thresholds = fc.record({ email: pair, phone: pair }, { requiredKeys: [] });
const onError = fc.record({ auth0: decision, stripe: decision, api: decision }, { requiredKeys: [] });
const override = fc.record({ thresholds, on_error: onError }, { requiredKeys: [] });

/** Random policy files: base thresholds and on_error, plus per-source overrides of either. */
const policyFile = fc.record(
  {
    thresholds,
    on_error: onError,
    sources: fc.record({ auth0: override, stripe: override, api: override }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

const identifierInput: fc.Arbitrary<IdentifierInput> = fc.oneof(
  fc.constant({ status: 'absent' } as const),
  fc.constant({ status: 'invalid' } as const),
  fc.constant({ status: 'skipped' } as const),
  fc.constantFrom('allow', 'block').map((list) => ({ status: 'listed', list }) as const),
  level.map((riskLevel) => ({ status: 'result', riskLevel }) as const),
  fc
    .constantFrom('TIMEOUT', 'NETWORK', 'BAD_RESPONSE', 'INSUFFICIENT_FUNDS')
    .map((errorType) => ({ status: 'error', errorType }) as const),
);

describe('decisions', () => {
  it('raising a risk level never lowers the decision', () => {
    fc.assert(
      fc.property(
        policyFile,
        source,
        fc.constantFrom('email', 'phone'),
        level,
        level,
        identifierInput,
        (file, src, kind, a, b, other) => {
          const policy = resolveForSource(parsePolicy(file), src);
          const [low, high] = LEVELS.indexOf(a) <= LEVELS.indexOf(b) ? [a, b] : [b, a];
          const run = (riskLevel: RiskLevel) => {
            const mine: IdentifierInput = { status: 'result', riskLevel };
            return kind === 'email' ? decide(policy, src, mine, other) : decide(policy, src, other, mine);
          };
          expect(ORDER[run(low).decision]).toBeLessThanOrEqual(ORDER[run(high).decision]);
          expect(ORDER[identifierDecision(policy.thresholds[kind], low)]).toBeLessThanOrEqual(
            ORDER[identifierDecision(policy.thresholds[kind], high)],
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('every decision other than a plain allow has a reason, and degraded means an error was used', () => {
    fc.assert(
      fc.property(policyFile, source, identifierInput, identifierInput, (file, src, email, phone) => {
        const policy = resolveForSource(parsePolicy(file), src);
        const outcome = decide(policy, src, email, phone);
        if (outcome.decision !== 'allow' || outcome.degraded)
          expect(outcome.reasons.length).toBeGreaterThan(0);
        const listed = [email, phone].some((i) => i.status === 'listed');
        const errored = [email, phone].some((i) => i.status === 'error');
        expect(outcome.degraded).toBe(!listed && errored);
        if (outcome.degraded) expect(outcome.reasons.map((r) => r.code)).toContain('defastra_error');
      }),
      { numRuns: 500 },
    );
  });
});

/** Upper-cases some characters and pads with whitespace, as people type. */
const messy = (value: fc.Arbitrary<string>) =>
  fc
    .tuple(value, fc.array(fc.boolean(), { maxLength: 300 }), fc.constantFrom('', ' ', '\t', '  \n'))
    .map(([v, upper, pad]) => pad + [...v].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('') + pad);

describe('normaliseEmail', () => {
  it('is idempotent on anything', () => {
    fc.assert(
      fc.property(fc.oneof(messy(fc.emailAddress()), fc.string(), fc.string({ unit: 'grapheme' })), (raw) => {
        const once = normaliseEmail(raw);
        if (once !== null) expect(normaliseEmail(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts RFC addresses that fit the length limits, trimmed and lowercased', () => {
    fc.assert(
      fc.property(messy(fc.emailAddress()), (raw) => {
        fc.pre(raw.trim().length <= 254);
        expect(normaliseEmail(raw)).toBe(raw.trim().toLowerCase());
      }),
      { numRuns: 500 },
    );
  });

  it('normaliseDomain is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(messy(fc.domain()), fc.string()), (raw) => {
        const once = normaliseDomain(raw);
        if (once !== null) expect(normaliseDomain(once)).toBe(once);
      }),
    );
  });
});

/** Phone numbers as people write them: optional prefix, digits, separators sprinkled in. */
const writtenPhone = fc
  .tuple(
    fc.constantFrom('', '+', '00', '0', '(+', '+ '),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 4, maxLength: 17 }),
    fc.array(fc.constantFrom('', '', '', ' ', '.', '-', '(', ')'), { minLength: 17, maxLength: 17 }),
  )
  .map(([prefix, digits, seps]) => prefix + digits.map((d, i) => `${d}${seps[i]}`).join(''));
const countryCode = fc.constantFrom<string | null>(null, '33', '+33', '1', '44', '39', '+353', 'x');

describe('normalisePhone', () => {
  it("is idempotent: normalisePhone('+' + result) gives the result back, under any default", () => {
    fc.assert(
      fc.property(fc.oneof(writtenPhone, fc.string()), countryCode, countryCode, (raw, cc, otherCc) => {
        const once = normalisePhone(raw, cc);
        if (once === null) return;
        expect(once).toMatch(/^[1-9]\d{7,14}$/);
        expect(normalisePhone(`+${once}`, otherCc)).toBe(once);
        expect(normalisePhone(`00${once}`, otherCc)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it('never accepts letters', () => {
    fc.assert(
      fc.property(writtenPhone, fc.integer({ min: 0, max: 20 }), countryCode, (raw, at, cc) => {
        const withLetter = `${raw.slice(0, at)}a${raw.slice(at)}`;
        expect(normalisePhone(withLetter, cc)).toBeNull();
      }),
    );
  });
});

describe('masks', () => {
  it('maskEmail never contains the local part beyond its first character', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (raw) => {
        const email = normaliseEmail(raw);
        fc.pre(email !== null);
        const at = email!.lastIndexOf('@');
        const local = email!.slice(0, at);
        const masked = maskEmail(email!);
        const maskedLocal = masked.slice(0, masked.lastIndexOf('@'));
        expect(masked.endsWith(`@${email!.slice(at + 1)}`)).toBe(true);
        expect(maskedLocal.replace('***', '').length).toBeLessThanOrEqual(2); // one code point at most
        expect(local.startsWith(maskedLocal.replace('***', ''))).toBe(true);
        // Exactly the first code point (none for a one-character local part) and the asterisks: a test on
        // "does not contain the local part" would be wrong for local parts made of asterisks.
        const chars = Array.from(local);
        expect(maskedLocal).toBe(`${chars.length >= 2 ? chars[0] : ''}***`);
      }),
      { numRuns: 1000 },
    );
  });

  it('maskPhone never shows more than 4 digits', () => {
    fc.assert(
      fc.property(fc.oneof(writtenPhone, fc.string(), fc.stringMatching(/^\d{0,20}$/)), (raw) => {
        const masked = maskPhone(raw);
        expect(masked.replace(/\D/g, '').length).toBeLessThanOrEqual(4);
        expect(masked.startsWith('+')).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('maskPhone of a normalised phone keeps the first two and last two digits', () => {
    fc.assert(
      fc.property(writtenPhone, countryCode, (raw, cc) => {
        const phone = normalisePhone(raw, cc);
        fc.pre(phone !== null);
        const masked = maskPhone(phone!);
        expect(masked).toBe(`+${phone!.slice(0, 2)}${'*'.repeat(phone!.length - 4)}${phone!.slice(-2)}`);
        expect(masked).not.toContain(phone!.slice(2, -2));
      }),
    );
  });
});
