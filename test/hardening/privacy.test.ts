/**
 * No raw email, phone or IP anywhere new (issues 9 and 10): after screenings with a client IP, runtime list entries of
 * every kind, a review with add_to_list, statistics and a replay, neither the table (every item, dynalite scan), the
 * logs nor any answer holds the raw values.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../functions/api/app.js';
import type { Verdict } from '../../shared/core/verdict.js';
import { silentTelemetry, type Telemetry } from '../../shared/observability/telemetry.js';
import { createTestDeps, TEST_API_TOKEN, type TestDeps } from '../helpers/deps.js';

const lines: string[] = [];
const recording: Telemetry = {
  ...silentTelemetry,
  debug: (message, fields) => lines.push(JSON.stringify({ message, fields })),
  info: (message, fields) => lines.push(JSON.stringify({ message, fields })),
  warn: (message, fields) => lines.push(JSON.stringify({ message, fields })),
  error: (message, fields) => lines.push(JSON.stringify({ message, fields })),
};

const EMAIL = `Private.Person.${process.pid}+medium@Example.com`;
const PHONE = '+33 6 12 34 56 78';
const IP = '203.0.113.199';
const IPV6 = '2001:db8:abcd:12:3456::1';
const LIST_EMAIL = `listed.${process.pid}@example.net`;
const answers: string[] = [];

let t: TestDeps;
beforeAll(async () => {
  t = await createTestDeps({ overrides: { telemetry: recording } });
  const app = createApiApp(t.provider, recording);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { Authorization: `Bearer ${TEST_API_TOKEN}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    answers.push(text);
    return text;
  };
  const verdict = JSON.parse(
    await call('POST', '/screen', { email: EMAIL, phone: PHONE, ip: IP }),
  ) as Verdict;
  await call('POST', '/screen', { email: EMAIL.toLowerCase(), ip: IPV6 });
  await call('POST', '/lists', { kind: 'email', value: LIST_EMAIL, action: 'block' });
  await call('POST', '/lists', { kind: 'phone', value: PHONE, action: 'allow' });
  await call('POST', '/lists', { kind: 'ip', value: IP, action: 'block' });
  await call('POST', `/verdicts/${verdict.verdict_id}/review`, { outcome: 'reject', add_to_list: true });
  await call('GET', `/verdicts?email=${encodeURIComponent(EMAIL)}`);
  await call('GET', '/lists');
  await call('GET', '/stats');
  await call('POST', '/replay', { policy: { allow: { emails: [EMAIL] } } });
});
afterAll(() => t.close());

/** Every form of the raw values a leak could take. */
const FORMS = [
  EMAIL,
  EMAIL.toLowerCase(),
  EMAIL.split('@')[0]!.toLowerCase(),
  LIST_EMAIL,
  LIST_EMAIL.split('@')[0]!,
  '33612345678',
  '612345678',
  PHONE,
  IP,
  '203.0.113',
  IPV6,
  '2001:db8:abcd:12',
];

describe('privacy of the new items, answers and logs', () => {
  it('stores no raw email, phone or IP in any item (verdicts, markers, cache, lists, velocity, statistics)', async () => {
    const { Items = [] } = await t.dynalite!.client.send(
      new ScanCommand({ TableName: t.dynalite!.tableName }),
    );
    const kinds = new Set(Items.map((item) => item.pk?.S?.replace(/#.*/, '')));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['C', 'L', 'LISTS', 'ST', 'V', 'VC']));
    const text = JSON.stringify(Items).toLowerCase();
    for (const form of FORMS) expect(text, form).not.toContain(form.toLowerCase());
  });

  it('answers and logs none of them either', () => {
    const text = `${answers.join('\n')}\n${lines.join('\n')}`.toLowerCase();
    expect(lines.length).toBeGreaterThan(5);
    for (const form of FORMS) expect(text, form).not.toContain(form.toLowerCase());
  });
});
