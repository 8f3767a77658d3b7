/**
 * Every hook route of functions/routes.ts checks the caller's signature before any store or Defastra work
 * (docs/deploy.md, section on throttles and edge limits): a delivery with no signature or one made with the wrong
 * secret is refused (400/401) with zero calls on the store's ports and on Defastra. The apps are the local server's
 * own (local/apps.ts) over an in-memory store and the Defastra sandbox, both wrapped to count calls; the policy
 * source reads that counted store too, and is rebuilt per request so no cache can hide an early read. Each route
 * is also driven with a good signature, which must reach both (the counters can fail the test). Requests are built
 * by the CLI's `signup-gate trigger` modules, as a provider would sign them.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { triggerProvider } from '../../cli/trigger/registry.js';
import { ROUTES } from '../../functions/routes.js';
import { localFetch } from '../../local/apps.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { policyDeps } from '../../shared/policy/source.js';
import { runtimePolicies } from '../../shared/policy-lifecycle/runtime.js';
import type { AppDeps } from '../../shared/runtime/deps.js';
import type { Store } from '../../shared/store/ports.js';
import {
  createTestDeps,
  TEST_AUTH0_SECRET,
  TEST_HOOK_SECRETS,
  TEST_STRIPE_SECRET,
  TEST_SUPABASE_SECRET,
  type TestDeps,
} from '../helpers/deps.js';

/** Wraps every method reachable from `target` (nested port objects included) so each call is recorded by path. */
const counted = <T extends object>(target: T, calls: string[], prefix: string): T =>
  new Proxy(target, {
    get(object, key, receiver) {
      const value: unknown = Reflect.get(object, key, receiver);
      const path = `${prefix}.${String(key)}`;
      if (typeof value === 'function') {
        return (...args: unknown[]) => {
          calls.push(path);
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      }
      if (typeof value === 'object' && value !== null) return counted(value, calls, path);
      return value;
    },
  });

const HOOKS = ROUTES.filter((r) => r.auth === 'hook').map((r) => ({
  path: r.path,
  provider: r.app.replace(/-hook$/, ''),
}));

/** The secret each route's deps accept (test/helpers/deps.ts), and one of the same form they do not. */
const SECRETS: Record<string, { good: string; wrong: string }> = (() => {
  const base64 = () => randomBytes(32).toString('base64');
  const hex = () => randomBytes(16).toString('hex');
  return {
    auth0: { good: TEST_AUTH0_SECRET, wrong: hex() },
    stripe: { good: TEST_STRIPE_SECRET, wrong: `whsec_${hex()}` },
    supabase: { good: TEST_SUPABASE_SECRET, wrong: `v1,whsec_${base64()}` },
    clerk: { good: TEST_HOOK_SECRETS.clerk, wrong: `whsec_${base64()}` },
    okta: { good: TEST_HOOK_SECRETS.okta, wrong: hex() },
    kratos: { good: TEST_HOOK_SECRETS.kratos, wrong: hex() },
    paddle: { good: TEST_HOOK_SECRETS.paddle, wrong: `pdl_ntfset_${hex()}` },
    firebase: { good: TEST_HOOK_SECRETS.firebase, wrong: hex() },
    workos: { good: TEST_HOOK_SECRETS.workos, wrong: hex() },
  };
})();

let t: TestDeps;
beforeAll(async () => {
  t = await createTestDeps({ store: 'memory', policy: { cache_hours: 0 } });
});
afterAll(() => t?.close());

/** Sends one request built by `provider`'s trigger through fresh counted deps; answers the status and the calls. */
const send = async (
  provider: string,
  secret: string,
  strip: (headers: Record<string, string>) => Record<string, string> = (h) => h,
) => {
  const calls: string[] = [];
  const store = counted<Store>(t.deps.store, calls, 'store');
  const deps: AppDeps = {
    ...t.deps,
    ...policyDeps(
      runtimePolicies({
        file: parsePolicy({ cache_hours: 0 }),
        versions: store.policies,
        now: Date.now,
        telemetry: silentTelemetry,
      }),
    ),
    store,
    defastra: counted(t.deps.defastra, calls, 'defastra'),
  };
  const trigger = triggerProvider(provider);
  if (!trigger) throw new Error(`no trigger for ${provider}`);
  const built = await trigger.build({
    subject: { email: `u${randomBytes(4).toString('hex')}+low@example.com`, phone: null },
    secret,
    nowSec: Math.floor(Date.now() / 1000),
    ip: '203.0.113.7',
    postLogin: false,
  });
  const response = await localFetch(
    async () => deps,
    silentTelemetry,
  )(
    new Request(`http://127.0.0.1${built.path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...strip(built.headers) },
      body: built.body,
    }),
  );
  await response.arrayBuffer();
  return { status: response.status, calls };
};

/** Keeps only Content-Type: no signature header at all. */
const unsigned = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() === 'content-type'));

describe('hook routes refuse a bad signature before any store or Defastra work', () => {
  it('covers every hook route of the routes table', () => {
    expect(HOOKS.map((h) => h.provider).sort()).toEqual(Object.keys(SECRETS).sort());
  });

  describe.each(HOOKS)('$path', ({ path, provider }) => {
    const secrets = SECRETS[provider]!;

    it('with a good signature: screened, the store and Defastra used (the counters work)', async () => {
      const { status, calls } = await send(provider, secrets.good);
      expect(status, path).toBe(200);
      expect(calls.some((c) => c.startsWith('store.'))).toBe(true);
      expect(calls.some((c) => c.startsWith('defastra.'))).toBe(true);
    });

    it('with no signature: refused, nothing touched', async () => {
      const { status, calls } = await send(provider, secrets.good, unsigned);
      expect([400, 401]).toContain(status);
      expect(calls).toEqual([]);
    });

    it('signed with the wrong secret: refused, nothing touched', async () => {
      const { status, calls } = await send(provider, secrets.wrong);
      expect([400, 401]).toContain(status);
      expect(calls).toEqual([]);
    });
  });
});
