/**
 * The route table (functions/routes.ts) and the apps agree: every route's path is served by the app the table names,
 * which answers a method it does not take with 405 and exactly the table's methods in `Allow`; a path of no route is
 * the api app's 404. The stack reads the same table (test/infra/stack.test.ts checks the routes it makes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeOf } from '../../functions/routes.js';
import { localFetch } from '../../local/apps.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';

let t: TestDeps;
beforeAll(async () => {
  t = await createTestDeps({ store: 'memory' });
});
afterAll(async () => {
  await t?.close();
});

/** A concrete path for a route pattern: each `{param}` filled with a ULID. */
const concrete = (path: string) => path.replace(/\{[^/}]+\}/g, '01JDX3K8Y0Q5W6Z8N2M4P6R8T0');

describe('the route table', () => {
  it.each(ROUTES.map((route) => [route.path, route] as const))(
    '%s: the app named in the table answers a wrong method with the table’s Allow',
    async (_path, route) => {
      const fetch = localFetch(t.provider, silentTelemetry);
      const res = await fetch(new Request(`http://local${concrete(route.path)}`, { method: 'PATCH' }));
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe(route.methods.join(', '));
      expect(routeOf(concrete(route.path))).toBe(route);
    },
  );

  it('sends a path of no route to the api app, which answers 404', async () => {
    expect(routeOf('/nowhere')).toBeUndefined();
    const res = await localFetch(t.provider, silentTelemetry)(new Request('http://local/nowhere'));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'no such route' } });
  });
});
