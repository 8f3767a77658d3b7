/**
 * A provisional (degraded) verdict is queued for a re-screen as it is stored (DynamoDB on dynalite, sandbox Defastra):
 * marked pending, due a minute later, its identifiers kept only sealed; a verdict that is not degraded is not queued.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../shared/policy/schema.js';
import { openIdentifiers } from '../../shared/rescreen/sealed.js';
import { deriveKey } from '../../shared/screening/hashing.js';
import { screen } from '../../shared/screening/screen.js';
import { createTestDeps, TEST_PEPPER, type TestDeps } from '../helpers/deps.js';

let t: TestDeps;
beforeAll(async () => {
  t = await createTestDeps();
});
afterAll(() => t.close());
afterEach(() => t.sandbox.clearFaults());

const key = Buffer.from(deriveKey(TEST_PEPPER, 'rescreen'), 'hex');
const input = (email: string) => ({
  source: 'api' as const,
  sourceRef: null,
  email,
  phone: '+14155550123',
  ip: '198.51.100.7',
});

describe('queueing provisional verdicts', () => {
  it('marks a degraded verdict pending, due a minute later, with its identifiers sealed', async () => {
    t.sandbox.setFaults({ errorType: 'SYSTEM_ERROR' });
    const email = 'queued.jane+low@example.org';
    const { verdict } = await screen(t.deps, parsePolicy({ cache_hours: 0 }), input(email));
    expect(verdict.degraded).toBe(true);
    const created = Date.parse(verdict.created_at);
    expect(verdict.rescreen).toEqual({
      status: 'pending',
      attempts: 0,
      next_at: new Date(created + 60_000).toISOString(),
    });
    expect((await t.deps.store.verdicts.get(verdict.verdict_id))?.rescreen).toEqual(verdict.rescreen);
    const pending = await t.deps.store.rescreen.get(verdict.verdict_id);
    expect(pending).toMatchObject({ verdictId: verdict.verdict_id, dueAt: created + 60_000, attempts: 0 });
    expect(openIdentifiers(key, verdict.verdict_id, pending?.sealed ?? '')).toEqual({
      email,
      phone: '+14155550123',
      ip: '198.51.100.7',
    });
    expect((await t.deps.store.rescreen.due(created + 60_000, 10)).map((p) => p.verdictId)).toContain(
      verdict.verdict_id,
    );
    // Nothing raw anywhere in the table.
    const { Items = [] } = await t.dynalite!.client.send(
      new ScanCommand({ TableName: t.dynalite!.tableName }),
    );
    const dump = JSON.stringify(Items);
    for (const raw of [email, 'queued.jane', '4155550123', '198.51.100.7']) expect(dump).not.toContain(raw);
  });

  it('queues nothing for a verdict that is not degraded', async () => {
    const { verdict } = await screen(t.deps, parsePolicy({}), input('calm.joe+low@example.org'));
    expect(verdict.degraded).toBe(false);
    expect(verdict.rescreen).toBeNull();
    expect(await t.deps.store.rescreen.get(verdict.verdict_id)).toBeNull();
  });
});
