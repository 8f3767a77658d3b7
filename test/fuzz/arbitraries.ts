/**
 * Shared pieces of the fuzz suites: inputs that carry a recognisable raw email, random bodies and headers, and
 * the check every answer must pass (no 5xx, JSON in the contract's shapes, no stack trace or file path, no
 * echo of a raw email that was in the request).
 */
import fc from 'fast-check';
import { expect } from 'vitest';

/** A raw email easy to spot in an answer: lowercase, so a lowercased echo is caught too. */
export const rawEmail: fc.Arbitrary<string> = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9._+-]{2,16}$/), fc.stringMatching(/^[a-z]{3,10}$/))
  .map(([local, host]) => `${local}@leak-${host}.example.org`);

/** Printable ASCII header values (what `Headers` accepts), including empty. */
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,80}$/);

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'), weight: 4 },
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    ' application/json ;charset=latin1',
    'application/jsonx',
    'text/plain',
    'text/html; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=xyz',
    '',
  ),
  headerValue,
  fc.constant(undefined),
);

/** A value that is sometimes a raw email, sometimes anything JSON. */
const jsonish = (email: string): fc.Arbitrary<unknown> =>
  fc.oneof(fc.constant(email), fc.constant(` ${email.toUpperCase()} `), fc.jsonValue({ maxDepth: 2 }));

/** Bodies of every kind, each carrying `email` somewhere: JSON of random shape, plain text, raw bytes, huge. */
export const bodyWith = (
  email: string,
  shapes: fc.Arbitrary<unknown>[] = [],
): fc.Arbitrary<string | Uint8Array> =>
  fc.oneof(
    { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify([value, email])), weight: 2 },
    {
      arbitrary: fc
        .dictionary(fc.string({ maxLength: 12 }), jsonish(email), { maxKeys: 5 })
        .map((o) => JSON.stringify(o)),
      weight: 2,
    },
    { arbitrary: fc.string({ maxLength: 200 }).map((s) => `${s}${email}${s}`), weight: 1 },
    {
      arbitrary: fc
        .uint8Array({ maxLength: 200 })
        .map((bytes) => `${new TextDecoder().decode(bytes)}${email}`),
      weight: 1,
    },
    {
      arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => {
        const mail = new TextEncoder().encode(email);
        const out = new Uint8Array(bytes.length + mail.length);
        out.set(bytes);
        out.set(mail, bytes.length);
        return out;
      }),
      weight: 1,
    },
    { arbitrary: fc.constantFrom('', '{', '[]', 'null', '"', '{"a":', '\u0000', '\ufeff{}'), weight: 1 },
    ...shapes.map((arbitrary) => ({ arbitrary: arbitrary.map((v) => JSON.stringify(v)), weight: 3 })),
  );

/** A body over 256 KiB (the route must answer 413 without reading it all into an error). */
export const hugeBodyWith = (email: string): fc.Arbitrary<string> =>
  fc
    .tuple(fc.integer({ min: 256 * 1024 + 1, max: 400 * 1024 }), fc.constantFrom('x', '{', ' ', 'é'))
    .map(([size, filler]) => `{"email":"${email}","pad":"${filler.repeat(size)}"}`);

/** Random extra headers: garbage auth, signatures and idempotency keys. */
export const garbageHeaders = (email: string): fc.Arbitrary<Record<string, string>> =>
  fc.record(
    {
      authorization: fc.oneof(headerValue, fc.constant(`Bearer ${email}`), fc.constant('Bearer')),
      // Not the email: the Auth0 hook returns its Idempotency-Key as `source_ref`, by contract.
      'idempotency-key': headerValue,
      'x-signup-gate-signature': fc.oneof(
        headerValue,
        fc.constant(`t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`),
        fc.constant(email),
      ),
      'stripe-signature': fc.oneof(
        headerValue,
        fc.constant(`t=${Math.floor(Date.now() / 1000)},v1=${'a'.repeat(64)}`),
        fc.constant(email),
      ),
    },
    { requiredKeys: [] },
  );

/** Stack frames, file paths and source locations: none may reach a caller. */
const INTERNALS = /\n\s+at |\bat [\w.<>$]+ \(|node_modules|\/work\/|file:\/\/|\.(ts|js|mjs):\d+/;

/** The checks every fuzzed answer must pass; returns the parsed body. */
export const expectSafeAnswer = async (res: Response, emails: readonly string[]): Promise<unknown> => {
  const text = await res.text();
  expect(res.status, text.slice(0, 300)).toBeLessThan(500);
  expect(text).not.toMatch(INTERNALS);
  const lower = text.toLowerCase();
  for (const email of emails) expect(lower, `echoed ${email}`).not.toContain(email.toLowerCase());
  const body = JSON.parse(text) as unknown;
  if (res.status >= 400) {
    const error = (body as { error?: { code?: unknown; message?: unknown } }).error;
    expect(typeof error?.code).toBe('string');
    expect(typeof error?.message).toBe('string');
  }
  return body;
};

/** Bounded runs: enough to find shallow bugs while `npm test` stays fast. */
export const RUNS = { numRuns: 150 } as const;
export const FEW_RUNS = { numRuns: 20 } as const;

/** How a fuzzed hook request is signed: mostly validly, so the body gets past authentication. */
export const signing = fc.oneof(
  { arbitrary: fc.constant('valid' as const), weight: 3 },
  fc.constant('stale' as const),
  fc.constant('garbage' as const),
);
