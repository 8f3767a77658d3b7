/** Identifier normalisation and masking (docs/verdict.md): emails trimmed and lowercased, phones as E.164 digits. */

const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
const MAX_LABEL_LENGTH = 63;
const MAX_DOMAIN_LENGTH = 253;
/**
 * Most labels an email-domain list entry may have (docs/lists.md): screening looks up an email's domain and its
 * parents of at most this many labels, so a crafted domain of 100+ labels costs no more look-ups than a real one.
 */
export const MAX_DOMAIN_LABELS = 10;

/** Characters a plausible unquoted local part may not contain (besides whitespace, controls and invisible format characters). */
const LOCAL_FORBIDDEN = /[\s\p{Cc}\p{Cf}@"(),:;<>[\]\\]/u;
/** One domain label: letters, digits and hyphens, not starting or ending with a hyphen. */
const LABEL = /^[\p{L}\p{M}\p{Nd}](?:[\p{L}\p{M}\p{Nd}-]*[\p{L}\p{M}\p{Nd}])?$/u;
const HAS_LETTER = /\p{L}/u;

const isPlausibleDomain = (domain: string, minLabels: number): boolean => {
  if (domain.length === 0 || domain.length > MAX_DOMAIN_LENGTH) return false;
  const labels = domain.split('.');
  if (labels.length < minLabels) return false;
  if (!labels.every((label) => label.length <= MAX_LABEL_LENGTH && LABEL.test(label))) return false;
  // A top-level label of digits only is an IP address, not a mail domain.
  return HAS_LETTER.test(labels[labels.length - 1] ?? '');
};

/**
 * Trims and lowercases an email (no dot or plus folding), or returns `null` when it is not a plausible
 * address: exactly one `@`, a local part of 1 to 64 characters, a domain of at least two labels made of
 * letters, digits and hyphens, no spaces, at most 254 characters. Idempotent.
 */
export const normaliseEmail = (raw: string): string | null => {
  const email = raw.trim().toLowerCase();
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH) return null;
  const at = email.indexOf('@');
  if (at < 0 || at !== email.lastIndexOf('@')) return null;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length === 0 || local.length > MAX_LOCAL_LENGTH || LOCAL_FORBIDDEN.test(local)) return null;
  return isPlausibleDomain(domain, 2) ? email : null;
};

/**
 * Normalises an email domain as written in a policy list (`example.com`, or `@example.com`): trimmed,
 * lowercased, without the leading `@`. A single label (a top-level domain such as `xyz`) is accepted, more than
 * MAX_DOMAIN_LABELS are not. Returns `null` when it is not a plausible domain.
 */
export const normaliseDomain = (raw: string): string | null => {
  let domain = raw.trim().toLowerCase();
  if (domain.startsWith('@')) domain = domain.slice(1);
  if (domain.split('.').length > MAX_DOMAIN_LABELS) return null;
  return isPlausibleDomain(domain, 1) ? domain : null;
};

/** The domain of a normalised email (everything after the `@`). */
export const emailDomain = (email: string): string => email.slice(email.lastIndexOf('@') + 1);

const SEPARATORS = /[\s.\-()]/g;
const DIGITS = /^\d+$/;
const E164 = /^[1-9]\d{7,14}$/;
const COUNTRY_CODE = /^\+?([1-9]\d{0,2})$/;
/** Countries whose national numbers keep their leading 0 inside E.164 (Italy, San Marino, Vatican). */
const KEEPS_TRUNK_ZERO = new Set(['39', '378', '379']);

/**
 * Reduces a phone number to E.164 digits without the `+` (e.g. `33612345678`), or returns `null`.
 *
 * `+` or `00` introduces the country code; spaces, dots, dashes and parentheses are ignored (as is a
 * `(0)` after an international prefix). A number without either prefix gets `defaultCountryCode`
 * (`'33'` or `'+33'`) with its single national trunk `0` removed, and is invalid when there is none.
 * The result has 8 to 15 digits and does not start with 0. `normalisePhone('+' + r, x) === r`.
 */
export const normalisePhone = (raw: string, defaultCountryCode: string | null): string | null => {
  const trimmed = raw.trim();
  const stripped = trimmed.replace(SEPARATORS, '');
  const international = stripped.startsWith('+') || stripped.startsWith('00');
  const compact = international ? trimmed.replace('(0)', '').replace(SEPARATORS, '') : stripped;
  let digits: string;
  if (compact.startsWith('+')) {
    digits = compact.slice(1);
  } else if (compact.startsWith('00')) {
    digits = compact.slice(2);
  } else {
    const countryCode = COUNTRY_CODE.exec(defaultCountryCode?.trim() ?? '')?.[1];
    if (countryCode === undefined || !DIGITS.test(compact)) return null;
    const national =
      compact.startsWith('0') && !KEEPS_TRUNK_ZERO.has(countryCode) ? compact.slice(1) : compact;
    digits = countryCode + national;
  }
  return E164.test(digits) ? digits : null;
};

/**
 * Masks a normalised email as `j***@example.com`: the first character of the local part (nothing when
 * the local part is a single character), `***`, then the domain. A value without `@` becomes `***`.
 */
export const maskEmail = (email: string): string => {
  const at = email.lastIndexOf('@');
  if (at < 0) return '***';
  const local = Array.from(email.slice(0, at));
  const shown = local.length >= 2 ? local[0] : '';
  return `${shown}***@${email.slice(at + 1)}`;
};

/**
 * Masks E.164 digits as `+33*******78`: the first two and last two digits, one `*` per hidden digit.
 * Never shows more than four digits; input too short to hide at least half is fully masked.
 */
export const maskPhone = (digits: string): string => {
  const only = digits.replace(/\D/g, '');
  if (only.length < 8) return `+${'*'.repeat(Math.max(only.length, 4))}`;
  return `+${only.slice(0, 2)}${'*'.repeat(only.length - 4)}${only.slice(-2)}`;
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/;

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail included), or null when it is not one. */
const ipv6Groups = (text: string): number[] | null => {
  let address = text;
  const lastColon = address.lastIndexOf(':');
  const tail = address.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!IPV4.test(tail)) return null;
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    address = `${address.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === '') return [];
    const groups = part.split(':');
    return groups.every((g) => HEX_GROUP.test(g)) ? groups.map((g) => Number.parseInt(g, 16)) : null;
  };
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (head === null || rest === null) return null;
  const given = head.length + rest.length;
  if (halves.length === 2 ? given > 7 : given !== 8) return null;
  return [...head, ...new Array<number>(8 - given).fill(0), ...rest];
};

/**
 * Normalises a client IP for velocity and lists (docs/waves.md, docs/lists.md): IPv4 as dotted decimal, an IPv4-mapped
 * IPv6 address as its IPv4, any other IPv6 address as its /64 (`2001:db8:0:1::/64`, one subscriber's
 * network). Returns null when it is not an IP address.
 */
export const normaliseIp = (raw: string): string | null => {
  const text = raw.trim().replace(/^\[(.*)\]$/, '$1');
  if (IPV4.test(text)) return text;
  const groups = ipv6Groups(text.toLowerCase().replace(/%.*$/, ''));
  if (groups === null) return null;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
};

/** Masks a normalised IP: the first two IPv4 octets, or the first two IPv6 groups of the /64. */
export const maskIp = (ip: string): string => {
  if (!ip.includes(':')) {
    const [a, b] = ip.split('.');
    return `${a}.${b}.*.*`;
  }
  const [a, b] = ip.split(':');
  return `${a}:${b}:*:*::/64`;
};

const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * The mailbox of a normalised email (docs/waves.md): the local part without any `+tag`; for gmail.com and
 * googlemail.com also without dots, both counted as gmail.com. `j.o.e+x@googlemail.com` → `joe@gmail.com`.
 */
export const mailboxOf = (email: string): string => {
  const at = email.lastIndexOf('@');
  let local = email.slice(0, at);
  let domain = email.slice(at + 1);
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (GMAIL_DOMAINS.has(domain)) {
    local = local.replaceAll('.', '');
    domain = 'gmail.com';
  }
  return `${local}@${domain}`;
};
