/** Identifier normalisation and masking: examples of what is accepted, rejected and how it is written. */
import { describe, expect, it } from 'vitest';
import {
  emailDomain,
  maskEmail,
  maskPhone,
  normaliseDomain,
  normaliseEmail,
  normalisePhone,
} from '../../shared/policy/identifiers.js';

describe('normaliseEmail', () => {
  it.each([
    ['  John.Doe@Example.COM ', 'john.doe@example.com'],
    ['john.doe+promo@gmail.com', 'john.doe+promo@gmail.com'],
    ['j.o.h.n@GMAIL.com', 'j.o.h.n@gmail.com'],
    ['a@mail.example.co.uk', 'a@mail.example.co.uk'],
    ["o'brien@my-domain.io", "o'brien@my-domain.io"],
    ['\tuser@example.com\n', 'user@example.com'],
  ])('normalises %j to %j (trim and lowercase only, no dot or plus folding)', (raw, expected) => {
    expect(normaliseEmail(raw)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['   ', 'blank'],
    ['john.example.com', 'no @'],
    ['john@@example.com', 'two @'],
    ['a@b@example.com', 'two @ apart'],
    ['@example.com', 'empty local part'],
    [`${'a'.repeat(65)}@example.com`, 'local part over 64'],
    ['john@localhost', 'domain without a dot'],
    ['john doe@example.com', 'space in local part'],
    ['john@exa mple.com', 'space in domain'],
    ['john@example..com', 'empty label'],
    ['john@.example.com', 'leading dot in domain'],
    ['john@example.com.', 'trailing dot in domain'],
    ['john@exam_ple.com', 'underscore in domain'],
    ['john@-example.com', 'label starting with a hyphen'],
    ['john@example-.com', 'label ending with a hyphen'],
    ['john@10.0.0.1', 'IP address as domain'],
    ['john@[10.0.0.1]', 'bracketed IP address'],
    ['"john"@example.com', 'quoted local part'],
    [`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`, 'over 254 characters'],
  ])('rejects %j (%s)', (raw) => {
    expect(normaliseEmail(raw)).toBeNull();
  });

  it('accepts exactly 64 characters of local part and 254 in total', () => {
    const local = 'a'.repeat(64);
    const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    const email = `${local}@${domain}`;
    expect(email).toHaveLength(254);
    expect(normaliseEmail(email)).toBe(email);
  });
});

describe('normaliseDomain', () => {
  it.each([
    ['Example.COM', 'example.com'],
    [' @example.com ', 'example.com'],
    ['xyz', 'xyz'],
  ])('normalises %j to %j', (raw, expected) => {
    expect(normaliseDomain(raw)).toBe(expected);
  });

  it.each(['', 'exa mple.com', 'example..com', '*.example.com', 'a@example.com', '1.2.3.4'])(
    'rejects %j',
    (raw) => {
      expect(normaliseDomain(raw)).toBeNull();
    },
  );
});

describe('normalisePhone', () => {
  it.each([
    ['+33 6 12 34 56 78', null, '33612345678'],
    ['0033 6 12 34 56 78', null, '33612345678'],
    ['+33 (0)6 12 34 56 78', null, '33612345678'],
    ['+33.6.12.34.56.78', null, '33612345678'],
    ['(+33) 6-12-34-56-78', null, '33612345678'],
    ['06 12 34 56 78', '33', '33612345678'],
    ['06 12 34 56 78', '+33', '33612345678'],
    ['6 12 34 56 78', '33', '33612345678'],
    ['(415) 555-0100', '1', '14155550100'],
    ['+1 415 555 0100', '33', '14155550100'],
    ['020 7946 0958', '44', '442079460958'],
    ['06 1234 5678', '39', '390612345678'],
    ['  +33612345678  ', null, '33612345678'],
  ])('normalises %j with default country code %j to %j', (raw, cc, expected) => {
    expect(normalisePhone(raw, cc)).toBe(expected);
  });

  it.each([
    ['06 12 34 56 78', null, 'national number without a default country code'],
    ['', '33', 'empty'],
    ['+33 6 12 34 56 7a', null, 'a letter'],
    ['+33 6 12 34 56 78 ext 12', null, 'an extension'],
    ['+33/612345678', null, 'a slash'],
    ['+33 6 12+34 56 78', null, 'a plus inside'],
    ['++33612345678', null, 'two pluses'],
    ['+0612345678', null, 'country code starting with 0'],
    ['+1234567', null, '7 digits'],
    ['+1234567890123456', null, '16 digits'],
    ['12 34', '33', 'too short even with the country code'],
    ['06 12 34 56 78', 'abc', 'a malformed default country code'],
    ['+３３６１２３４５６７８', null, 'full-width digits'],
  ] as Array<[string, string | null, string]>)('rejects %j with %j (%s)', (raw, cc) => {
    expect(normalisePhone(raw, cc)).toBeNull();
  });

  it('accepts 8 and 15 digits', () => {
    expect(normalisePhone('+12345678', null)).toBe('12345678');
    expect(normalisePhone('+123456789012345', null)).toBe('123456789012345');
  });

  it('reads a leading 00 as the international prefix, not as a trunk 0', () => {
    expect(normalisePhone('00 44 20 7946 0958', '33')).toBe('442079460958');
  });

  it('gives back its own result when written with + or 00', () => {
    const result = normalisePhone('06 12 34 56 78', '33')!;
    expect(normalisePhone(`+${result}`, null)).toBe(result);
    expect(normalisePhone(`00${result}`, '44')).toBe(result);
  });
});

describe('masks', () => {
  it('emailDomain is what follows the @', () => {
    expect(emailDomain('john@mail.example.com')).toBe('mail.example.com');
  });

  it.each([
    ['john@example.com', 'j***@example.com'],
    ['jo@example.com', 'j***@example.com'],
    ['j@example.com', '***@example.com'],
    ['😀x@example.com', '😀***@example.com'],
    ['no-at-sign', '***'],
  ])('maskEmail(%j) = %j', (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });

  it.each([
    ['33612345678', '+33*******78'],
    ['3361234567', '+33******67'],
    ['12345678', '+12****78'],
    ['123456789012345', '+12***********45'],
    ['1234', '+****'],
    ['', '+****'],
  ])('maskPhone(%j) = %j', (digits, masked) => {
    expect(maskPhone(digits)).toBe(masked);
  });
});
