/** Forwards the page's API calls to the target with the target's auth: only the routes the console uses. */
import type { ApiRequest, ApiTarget } from '../target.js';

type Method = ApiRequest['method'];

/** The API routes of docs/api.md, docs/lists.md, docs/reviews.md, docs/policy-lifecycle.md, docs/outcomes.md that the page calls; everything else is not forwarded. */
const ROUTES: ReadonlyArray<{ pattern: RegExp; methods: readonly Method[] }> = [
  { pattern: /^\/verdicts$/, methods: ['GET'] },
  { pattern: /^\/verdicts\/[A-Za-z0-9]{1,64}$/, methods: ['GET'] },
  { pattern: /^\/verdicts\/[A-Za-z0-9]{1,64}\/review$/, methods: ['POST'] },
  { pattern: /^\/lists$/, methods: ['GET', 'POST'] },
  { pattern: /^\/lists\/[A-Za-z0-9_-]{1,128}$/, methods: ['DELETE'] },
  { pattern: /^\/stats$/, methods: ['GET'] },
  { pattern: /^\/quality$/, methods: ['GET'] },
  { pattern: /^\/replay$/, methods: ['POST'] },
  { pattern: /^\/policy$/, methods: ['GET', 'PUT'] },
  { pattern: /^\/policy\/versions$/, methods: ['GET'] },
  { pattern: /^\/policy\/versions\/[A-Za-z0-9._-]{1,64}$/, methods: ['GET'] },
  { pattern: /^\/policy\/rollback$/, methods: ['POST'] },
  { pattern: /^\/policy\/shadow$/, methods: ['GET', 'PUT', 'DELETE'] },
];

/** `allowed` for a forwarded route, the methods it takes when only the method is wrong, or `unknown`. */
export const matchRoute = (
  method: string,
  path: string,
):
  | { kind: 'allowed'; method: Method }
  | { kind: 'wrong_method'; allow: readonly Method[] }
  | { kind: 'unknown' } => {
  const route = ROUTES.find((r) => r.pattern.test(path));
  if (!route) return { kind: 'unknown' };
  const found = route.methods.find((m) => m === method);
  return found ? { kind: 'allowed', method: found } : { kind: 'wrong_method', allow: route.methods };
};

/** Replay re-decides up to 10,000 verdicts: give it longer than a plain read. */
const timeoutFor = (path: string): number => (path === '/replay' ? 120_000 : 30_000);

const errorResponse = (status: number, code: string, message: string): Response =>
  Response.json({ error: { code, message } }, { status });

/**
 * Sends one request to the target and turns its answer into a fresh response for the page: JSON bodies and
 * statuses pass through; the target refusing the console's own credentials, an unreachable target or a
 * non-JSON answer become `502`, so the page never mistakes them for its own session ending.
 */
export const forward = async (
  target: ApiTarget,
  request: { method: Method; path: string; query: string; body?: string },
): Promise<Response> => {
  let upstream: Response;
  try {
    upstream = await target.request({
      method: request.method,
      path: `${request.path}${request.query}`,
      ...(request.body === undefined
        ? {}
        : { body: request.body, headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(timeoutFor(request.path)),
    });
  } catch {
    return errorResponse(502, 'upstream_unavailable', `the API at ${target.url} did not answer`);
  }
  if (upstream.status === 401 || upstream.status === 403) {
    await upstream.body?.cancel();
    return errorResponse(
      502,
      'upstream_unauthorized',
      `the API at ${target.url} refused the console's credentials (${upstream.status})`,
    );
  }
  if (upstream.status === 204) return new Response(null, { status: 204 });
  const type = upstream.headers.get('content-type') ?? '';
  const body = await upstream.text().catch(() => undefined);
  if (body === undefined || !/^application\/json\b/i.test(type)) {
    return errorResponse(
      502,
      'bad_upstream_response',
      `the API at ${target.url} answered ${upstream.status} without JSON`,
    );
  }
  const headers = new Headers({ 'Content-Type': 'application/json; charset=utf-8' });
  const retryAfter = upstream.headers.get('retry-after');
  if (retryAfter) headers.set('Retry-After', retryAfter);
  return new Response(body, { status: upstream.status, headers });
};
