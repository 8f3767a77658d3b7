/**
 * `signup-gate label` and `label import` against the real local server (docs/outcomes.md): one verdict by id, and a
 * CSV/JSON-lines file of identifiers with labels, bad rows reported by line, a rerun that changes nothing.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireVerdict } from '../../cli/wire.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { cliEnv, ensureCliBuilt, jsonOf, runCli } from './run-cli.js';

let server: TestServer;
const cli = (args: string[]) =>
  runCli(['--url', server.url, ...args], { env: cliEnv({ API_TOKEN: server.apiToken }) });

const screen = async (body: Record<string, string>): Promise<WireVerdict> => {
  const res = await fetch(`${server.url}/screen`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as WireVerdict;
};
const get = async (id: string): Promise<WireVerdict> =>
  (await (
    await fetch(`${server.url}/verdicts/${id}`, { headers: { authorization: `Bearer ${server.apiToken}` } })
  ).json()) as WireVerdict;

beforeAll(async () => {
  [server] = await Promise.all([
    startTestServer({
      policy: { velocity: { ip: { review: null, block: null }, mailbox: { review: null, block: null } } },
    }),
    ensureCliBuilt(),
  ]);
});
afterAll(() => server?.close());

describe('signup-gate label', () => {
  it('labels one verdict (a later label replaces it) and shows it', async () => {
    const verdict = await screen({ email: 'one@example.com' });
    const json = await cli(['label', verdict.verdict_id, 'fraud', '--note', 'chargeback', '--json']);
    expect(json.code).toBe(0);
    expect(jsonOf<WireVerdict>(json).outcome).toMatchObject({
      label: 'fraud',
      source: 'manual',
      note: 'chargeback',
      labelled_by: 'local',
    });
    const text = await cli(['label', verdict.verdict_id, 'legit']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/outcome\s+legit \(manual, by local at \d{4}-/);
    expect((await get(verdict.verdict_id)).outcome?.label).toBe('legit');

    const bad = await cli(['label', verdict.verdict_id, 'maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Allowed choices are fraud, legit');
  });

  it('imports a CSV: each row labels every verdict of its identifiers; bad rows named by line; a rerun resumes', async () => {
    const twice = await screen({ email: 'twice@example.com' });
    const again = await screen({ email: 'twice@example.com' });
    const byRef = await screen({ email: 'ref@example.com', reference: 'user-42' });
    const byPhone = await screen({ phone: '+33612345601' });
    const untouched = await screen({ email: 'other@example.com' });
    const file = join(server.dataDir, 'labels.csv');
    await writeFile(
      file,
      [
        'email,phone,source_ref,label,note',
        'Twice@Example.com,,,fraud,chargeback',
        ',,user-42,legit,',
        ',+33612345601,,FRAUD,',
        'nobody@example.com,,,fraud,',
        'ref@example.com,,,maybe,',
        ',,,fraud,',
      ].join('\n'),
    );
    const result = await cli(['label', 'import', file]);
    expect(result.stderr).toContain('line 6: skipped: "label" is neither fraud nor legit');
    expect(result.stderr).toContain('line 7: skipped: no email, phone, subject_ref or source_ref');
    expect(result.stdout.trim().split('\n').at(-1)).toBe(
      'label import: 4 rows done, 4 verdicts labelled, 1 rows matched none, 2 failed',
    );
    expect(result.code).toBe(1); // the bad rows count as failed
    for (const v of [twice, again, byPhone]) {
      expect((await get(v.verdict_id)).outcome).toMatchObject({ label: 'fraud', source: 'api' });
    }
    expect((await get(twice.verdict_id)).outcome?.note).toBe('chargeback');
    expect((await get(byRef.verdict_id)).outcome?.label).toBe('legit');
    expect((await get(untouched.verdict_id)).outcome).toBeNull();

    // Running it again resumes: nothing changes (the labels are the same), the counts are the same.
    const labelledAt = (await get(twice.verdict_id)).outcome?.labelled_at;
    const rerun = await cli(['label', 'import', file, '--json']);
    expect(jsonOf<Record<string, unknown>>(rerun)).toMatchObject({
      rows: 6,
      rows_done: 4,
      labelled: 4,
      unmatched: 1,
      bad_rows: 2,
      failed: 2,
      not_done: 0,
      interrupted: false,
    });
    expect((await get(twice.verdict_id)).outcome?.labelled_at).toBe(labelledAt);
  });

  it('imports JSON lines, and refuses a file it cannot read', async () => {
    const file = join(server.dataDir, 'labels.jsonl');
    await writeFile(file, `${JSON.stringify({ email: 'one@example.com', label: 'fraud' })}\n`);
    const result = await cli(['label', 'import', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'label import: 1 rows done, 1 verdicts labelled, 0 rows matched none, 0 failed',
    );

    const noLabel = join(server.dataDir, 'no-label.csv');
    await writeFile(noLabel, 'email\nann@example.com\n');
    const refused = await cli(['label', 'import', noLabel]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no-label\.csv: the header has no label column/);
    const unknown = await cli(['label', 'import', join(server.dataDir, 'labels.txt')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('pass --format csv or --format jsonl');
  });
});
