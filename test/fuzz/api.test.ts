/**
 * Fuzzing the operator API in process (Hono `app.request`, in-memory store, the sandbox as Defastra): random
 * bodies, query strings, ids and headers never produce a 5xx, a stack trace or a file path, or an echo of a
 * raw email that was in the request.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createApiApp } from '../../functions/api/app.js';
import { createTestDeps, TEST_API_TOKEN, type TestDeps } from '../helpers/deps.js';
import {
  bodyWith,
  contentType,
  expectSafeAnswer,
  FEW_RUNS,
  garbageHeaders,
  hugeBodyWith,
  RUNS,
  rawEmail,
} from './arbitraries.js';

let t: TestDeps;
let app: ReturnType<typeof createApiApp>;
beforeAll(async () => {
  t = await createTestDeps({ store: 'memory', policy: { budget_ms: { api: 2_000 } } });
  app = createApiApp(t.provider);
});
afterAll(() => t.close());

const BEARER = `Bearer ${TEST_API_TOKEN}`;

/** Bodies shaped like a real request, so validation passes often and the screening path runs too. */
const screenShapes = (email: string) => [
  fc.record(
    {
      email: fc.oneof(fc.constant(email), fc.string({ maxLength: 40 }), fc.constant(null)),
      phone: fc.oneof(
        fc.constant(`+33 6 ${email.length} 00 00 01`),
        fc.string({ maxLength: 20 }),
        fc.constant(null),
      ),
      // `reference` is the caller's own opaque value, returned as `source_ref`: not an identifier.
      reference: fc.string({ maxLength: 30 }),
      ip: fc.string({ maxLength: 20 }),
    },
    { requiredKeys: [] },
  ),
];

describe('POST /screen', () => {
  it('never fails or leaks, whatever the body and headers', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawEmail.chain((email) =>
          fc.tuple(
            fc.constant(email),
            bodyWith(email, screenShapes(email)),
            contentType,
            garbageHeaders(email),
            fc.boolean(),
          ),
        ),
        async ([email, body, type, headers, authorised]) => {
          const all: Record<string, string> = { ...headers };
          if (type !== undefined) all['content-type'] = type;
          if (authorised) all.authorization = BEARER;
          if (!authorised || !/^[\x21-\x7e]{1,255}$/.test(all['idempotency-key'] ?? '')) {
            delete all['idempotency-key'];
          }
          const res = await app.request('/screen', { method: 'POST', headers: all, body });
          await expectSafeAnswer(res, [email]);
        },
      ),
      RUNS,
    );
  });

  it('answers 413 to a body over 256 KiB, without echoing it', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawEmail.chain((email) => fc.tuple(fc.constant(email), hugeBodyWith(email), contentType)),
        async ([email, body, type]) => {
          const headers: Record<string, string> = { authorization: BEARER };
          if (type !== undefined) headers['content-type'] = type;
          const res = await app.request('/screen', { method: 'POST', headers, body });
          await expectSafeAnswer(res, [email]);
        },
      ),
      FEW_RUNS,
    );
  });

  it('answers other methods with 405 and Allow, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
        rawEmail,
        async (method, email) => {
          const res = await app.request('/screen', {
            method,
            headers: { authorization: BEARER },
            ...(method === 'GET' ? {} : { body: JSON.stringify({ email }) }),
          });
          await expectSafeAnswer(res, [email]);
        },
      ),
      FEW_RUNS,
    );
  });
});

describe('GET /verdicts', () => {
  const knownKeys = fc.constantFrom(
    'email',
    'phone',
    'decision',
    'source',
    'since',
    'until',
    'limit',
    'cursor',
  );

  it('never fails or leaks, whatever the query string', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawEmail.chain((email) =>
          fc.tuple(
            fc.constant(email),
            fc.oneof(
              // Known filters with random values, the raw email among them.
              fc
                .array(
                  fc.tuple(
                    fc.oneof(knownKeys, fc.string({ maxLength: 10 })),
                    fc.oneof(
                      fc.constant(email),
                      fc.string({ maxLength: 30 }),
                      fc.integer({ min: -5, max: 500 }).map(String),
                      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
                      fc.base64String({ maxLength: 80 }),
                    ),
                  ),
                  { maxLength: 6 },
                )
                .map((pairs) => new URLSearchParams(pairs).toString()),
              // Raw query text, encoded as a client would send it.
              fc.string({ maxLength: 120 }).map((s) => encodeURI(s).replace(/#/g, '%23')),
            ),
            fc.boolean(),
          ),
        ),
        async ([email, query, authorised]) => {
          const headers: Record<string, string> = authorised ? { authorization: BEARER } : {};
          const res = await app.request(`/verdicts?${query}`, { headers });
          await expectSafeAnswer(res, [email]);
        },
      ),
      RUNS,
    );
  });
});

/**
 * The raw email as a field name: the validator names the first unknown field in its 400 message, so a
 * request whose unknown key (body) or parameter (query) is an email would get that email echoed back.
 */
describe('an unknown field named like an email', () => {
  it('is not echoed by POST /screen', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawEmail,
        fc.constantFrom('{"%":1}', '{"email":"a@example.org","%":1}'),
        async (email, shape) => {
          const body = shape.replace('%', email);
          const headers = { authorization: BEARER, 'content-type': 'application/json' };
          await expectSafeAnswer(await app.request('/screen', { method: 'POST', headers, body }), [email]);
        },
      ),
      FEW_RUNS,
    );
  });

  it('is not echoed by GET /verdicts', async () => {
    await fc.assert(
      fc.asyncProperty(rawEmail, async (email) => {
        const query = new URLSearchParams([[email, '1']]).toString();
        await expectSafeAnswer(
          await app.request(`/verdicts?${query}`, { headers: { authorization: BEARER } }),
          [email],
        );
      }),
      FEW_RUNS,
    );
  });
});

describe('GET /verdicts/{id}', () => {
  it('never fails or leaks, whatever the id', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawEmail.chain((email) =>
          fc.tuple(
            fc.constant(email),
            fc.oneof(
              fc.string({ minLength: 1, maxLength: 60 }),
              fc.stringMatching(/^[0-9A-Za-z]{26}$/),
              fc.constant(email),
              fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => new TextDecoder().decode(b)),
            ),
          ),
        ),
        async ([email, id]) => {
          const res = await app.request(`/verdicts/${encodeURIComponent(id)}`, {
            headers: { authorization: BEARER },
          });
          await expectSafeAnswer(res, [email]);
        },
      ),
      RUNS,
    );
  });
});
