/**
 * How a policy change reaches every instance (docs/policy-lifecycle.md): the runtime serves what it read for a bounded
 * age, refreshes off the request path, waits only past the bound, and two app instances on one DynamoDB table (dynalite)
 * see each other's changes within it. Clocks are injected: no test waits for real seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../functions/api/app.js';
import type { PolicyVersionAnswer } from '../../shared/api/policy.js';
import type { Verdict } from '../../shared/core/verdict.js';
import { type LogFields, silentTelemetry, type Telemetry } from '../../shared/observability/telemetry.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { policyDeps } from '../../shared/policy/source.js';
import {
  POLICY_MAX_AGE_MS,
  POLICY_REFRESH_AFTER_MS,
  runtimePolicies,
} from '../../shared/policy-lifecycle/runtime.js';
import { applyPolicy, type LifecycleDeps } from '../../shared/policy-lifecycle/versions.js';
import type { AppDeps } from '../../shared/runtime/deps.js';
import { deriveKey } from '../../shared/screening/hashing.js';
import { createDynamoStore } from '../../shared/store/dynamo/store.js';
import { createMemoryStore } from '../../shared/store/memory.js';
import type { PolicyHead, PolicyVersionRepository } from '../../shared/store/ports.js';
import { createTestDeps, TEST_API_TOKEN, TEST_PEPPER, type TestDeps } from '../helpers/deps.js';

const FILE = parsePolicy({ version: 'file-1' });
const T0 = Date.parse('2026-11-30T09:00:00.000Z');

/** A clock a test moves by hand. */
const clock = (start = T0) => {
  const state = { ms: start };
  const advance = (ms: number): void => {
    state.ms += ms;
  };
  return { now: () => state.ms, advance, state };
};

/** A repository whose head reads are counted and can be held open or made to fail. */
const instrumented = (inner: PolicyVersionRepository) => {
  const control = {
    reads: 0,
    fail: false,
    /** Resolves the reads held open so far (none are held unless `hold` is true). */
    hold: false,
    held: [] as Array<() => void>,
  };
  const head = async (): Promise<PolicyHead> => {
    control.reads += 1;
    if (control.fail) throw new Error('store down');
    const result = await inner.head();
    if (control.hold) await new Promise<void>((resolve) => control.held.push(resolve));
    return result;
  };
  return { repo: { ...inner, head }, control };
};

const lifecycle = (
  versions: PolicyVersionRepository,
  runtime: LifecycleDeps['runtime'],
  now: () => number,
) => ({
  versions,
  runtime,
  telemetry: silentTelemetry,
  now,
});

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('runtimePolicies: bounded age', () => {
  it('reads once, then serves what it read with no store read until it is old', async () => {
    const store = createMemoryStore();
    const { repo, control } = instrumented(store.policies);
    const time = clock();
    const runtime = runtimePolicies({
      file: FILE,
      versions: repo,
      now: time.now,
      telemetry: silentTelemetry,
    });
    expect((await runtime.current()).active).toBe(FILE);
    expect(control.reads).toBe(1);
    for (let i = 0; i < 20; i++) {
      time.advance((POLICY_REFRESH_AFTER_MS - 1) / 20);
      await runtime.current();
    }
    expect(control.reads).toBe(1);
  });

  it('this process’s own change governs its next screening (reload)', async () => {
    const store = createMemoryStore();
    const time = clock();
    const runtime = runtimePolicies({
      file: FILE,
      versions: store.policies,
      now: time.now,
      telemetry: silentTelemetry,
    });
    await runtime.current();
    await applyPolicy(lifecycle(store.policies, runtime, time.now), {
      policy: { mode: 'monitor' },
      comment: null,
      createdBy: 'local',
    });
    const { active } = await runtime.current();
    expect(active.base).toMatchObject({ version: 'r1', mode: 'monitor' });
  });

  it('between the refresh age and the bound: serves the old one at once and refreshes off the request path', async () => {
    const store = createMemoryStore();
    const { repo, control } = instrumented(store.policies);
    const time = clock();
    const runtime = runtimePolicies({
      file: FILE,
      versions: repo,
      now: time.now,
      telemetry: silentTelemetry,
    });
    await runtime.current();
    await store.policies.append({
      seq: 1,
      version: 'r1',
      created_at: new Date(T0).toISOString(),
      created_by: 'elsewhere',
      comment: null,
      document: { version: 'r1', mode: 'monitor' },
    });
    time.advance(POLICY_REFRESH_AFTER_MS);
    control.hold = true;
    // The read is held open: the screening is not waiting for it.
    expect((await runtime.current()).active).toBe(FILE);
    expect(control.reads).toBe(2);
    // One background read at a time.
    expect((await runtime.current()).active).toBe(FILE);
    expect(control.reads).toBe(2);
    control.hold = false;
    for (const release of control.held) release();
    await settle();
    expect((await runtime.current()).active.base.version).toBe('r1');
  });

  it('at the bound: waits for a read sent now, so nothing older than the bound is ever served', async () => {
    const store = createMemoryStore();
    const { repo, control } = instrumented(store.policies);
    const time = clock();
    const runtime = runtimePolicies({
      file: FILE,
      versions: repo,
      now: time.now,
      telemetry: silentTelemetry,
    });
    await runtime.current();
    await store.policies.append({
      seq: 1,
      version: 'r1',
      created_at: new Date(T0).toISOString(),
      created_by: 'elsewhere',
      comment: null,
      document: { version: 'r1' },
    });
    time.advance(POLICY_MAX_AGE_MS);
    expect((await runtime.current()).active.base.version).toBe('r1');
    expect(control.reads).toBe(2);
  });

  it('a background read sent long ago (a frozen Lambda) is not trusted past the bound: a new read is sent', async () => {
    const store = createMemoryStore();
    const { repo, control } = instrumented(store.policies);
    const time = clock();
    const runtime = runtimePolicies({
      file: FILE,
      versions: repo,
      now: time.now,
      telemetry: silentTelemetry,
    });
    await runtime.current();
    time.advance(POLICY_REFRESH_AFTER_MS);
    control.hold = true;
    await runtime.current(); // background read sent, held open (as if the process froze)
    control.hold = false;
    time.advance(POLICY_MAX_AGE_MS);
    await store.policies.append({
      seq: 1,
      version: 'r1',
      created_at: new Date(T0).toISOString(),
      created_by: 'elsewhere',
      comment: null,
      document: { version: 'r1' },
    });
    expect((await runtime.current()).active.base.version).toBe('r1');
    expect(control.reads).toBe(3);
    // The old read finishing late does not bring back what it saw.
    for (const release of control.held) release();
    await settle();
    expect((await runtime.current()).active.base.version).toBe('r1');
  });

  it('a store that cannot be read: the last policies read stay in use; with none read yet, the screening fails', async () => {
    const store = createMemoryStore();
    const { repo, control } = instrumented(store.policies);
    const time = clock();
    const warnings: string[] = [];
    const telemetry: Telemetry = { ...silentTelemetry, warn: (message: string) => warnings.push(message) };
    const runtime = runtimePolicies({ file: FILE, versions: repo, now: time.now, telemetry });
    control.fail = true;
    await expect(runtime.current()).rejects.toThrow('store down');
    control.fail = false;
    await runtime.current();
    control.fail = true;
    time.advance(POLICY_MAX_AGE_MS * 2);
    expect((await runtime.current()).active).toBe(FILE);
    expect(warnings).toEqual(['policy versions could not be read; the last ones read stay in use']);
  });

  it('an invalid stored version is reported and not used; the file (or the last good one) stays', async () => {
    const store = createMemoryStore();
    const errors: Array<{ message: string; fields: LogFields | undefined }> = [];
    const telemetry: Telemetry = {
      ...silentTelemetry,
      error: (message, fields) => errors.push({ message, fields }),
    };
    const runtime = runtimePolicies({ file: FILE, versions: store.policies, now: clock().now, telemetry });
    await store.policies.append({
      seq: 1,
      version: 'r1',
      created_at: new Date(T0).toISOString(),
      created_by: 'an older release',
      comment: null,
      document: { version: 'r1', retired_key: true },
    });
    expect((await runtime.reload()).active).toBe(FILE);
    expect(errors).toEqual([
      {
        message: 'stored policy version is not a valid policy; it is not used',
        fields: { version: 'r1', field: 'retired_key' },
      },
    ]);
  });

  it('serves the same policy object while nothing changed (per-policy caches stay warm)', async () => {
    const store = createMemoryStore();
    const time = clock();
    const runtime = runtimePolicies({
      file: FILE,
      versions: store.policies,
      now: time.now,
      telemetry: silentTelemetry,
    });
    await applyPolicy(lifecycle(store.policies, runtime, time.now), {
      policy: {},
      comment: null,
      createdBy: 'a',
    });
    const first = (await runtime.current()).active;
    time.advance(POLICY_MAX_AGE_MS);
    expect((await runtime.current()).active).toBe(first);
  });
});

describe('two app instances on one DynamoDB table', () => {
  let t: TestDeps;
  const clocks = { a: clock(), b: clock() };
  let instance: Record<'a' | 'b', AppDeps>;

  beforeAll(async () => {
    t = await createTestDeps({ policy: { version: 'file-1', cache_hours: 0 } });
    const dynalite = t.dynalite!;
    /** One instance: its own store adapter over the shared table, its own policy runtime and clock. */
    const instanceOf = (time: ReturnType<typeof clock>): AppDeps => {
      const store = createDynamoStore({
        client: dynalite.client,
        tableName: dynalite.tableName,
        cursorKey: deriveKey(TEST_PEPPER, 'cursor'),
      });
      const runtime = runtimePolicies({
        file: parsePolicy({ version: 'file-1', cache_hours: 0 }),
        versions: store.policies,
        now: time.now,
        telemetry: silentTelemetry,
      });
      return { ...t.deps, store, ...policyDeps(runtime) };
    };
    instance = { a: instanceOf(clocks.a), b: instanceOf(clocks.b) };
  });
  afterAll(async () => {
    await t?.close();
  });

  const call = async <T>(which: 'a' | 'b', method: string, path: string, body?: unknown) => {
    const app = createApiApp(async () => instance[which]);
    const response = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${TEST_API_TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const screenOn = async (which: 'a' | 'b') =>
    (await call<Verdict>(which, 'POST', '/screen', { email: `two${Math.random()}@example.com` })).body;

  it('a change made through one is seen by the other within the bound, never later', async () => {
    expect((await screenOn('a')).policy_version).toBe('file-1');
    expect((await screenOn('b')).policy_version).toBe('file-1');

    const created = await call<PolicyVersionAnswer>('a', 'PUT', '/policy', { policy: { mode: 'monitor' } });
    expect(created.status).toBe(201);
    // The writing instance: at once.
    expect(await screenOn('a')).toMatchObject({ policy_version: 'r1', mode: 'monitor' });
    // The other instance: its read is younger than the refresh age, so it still runs under the file…
    expect((await screenOn('b')).policy_version).toBe('file-1');
    // …past the refresh age a read starts in the background (this screening is not held up by it)…
    clocks.b.advance(POLICY_REFRESH_AFTER_MS);
    const during = await screenOn('b');
    expect(['file-1', 'r1']).toContain(during.policy_version);
    await settle();
    expect((await screenOn('b')).policy_version).toBe('r1');

    // A second change, and instance b idle past the bound: its next screening waits for the read.
    await call('a', 'PUT', '/policy', { policy: { mode: 'enforce' }, expected_version: 'r1' });
    clocks.b.advance(POLICY_MAX_AGE_MS);
    expect(await screenOn('b')).toMatchObject({ policy_version: 'r2', mode: 'enforce' });
  });

  it('a shadow set through one instance is decided by the other within the bound', async () => {
    const set = await call<PolicyVersionAnswer>('b', 'PUT', '/policy/shadow', {
      policy: { mode: 'monitor' },
    });
    expect(set.body.version).toBe('s1');
    expect((await screenOn('b')).shadow?.version).toBe('s1');
    clocks.a.advance(POLICY_MAX_AGE_MS);
    expect((await screenOn('a')).shadow?.version).toBe('s1');
  });
});
