/**
 * `signup-gate replay` against the real local server: a known set of verdicts is screened first, then the
 * candidate's transition counts, changed verdicts and unresolved verdicts are asserted, in JSON and in the
 * table. The policy file is validated locally first (same schema and message as at start-up).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireReplay, WireVerdict } from '../../cli/wire.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { cliEnv, ensureCliBuilt, jsonOf, runCli } from './run-cli.js';

let server: TestServer;
const ids: Record<string, string> = {};

const screen = async (email: string): Promise<WireVerdict> => {
  const res = await fetch(`${server.url}/screen`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as WireVerdict;
};

// Under the defaults: low → allow, medium → review, high and extreme → block; the listed domain → block.
const KNOWN_SET: Array<[string, string]> = [
  ['low1', 'ann@example.com'],
  ['low2', 'ben@example.com'],
  ['low3', 'cid@example.com'],
  ['medium1', 'dan+medium@example.com'],
  ['medium2', 'eve+medium@example.com'],
  ['high1', 'fay+high@example.com'],
  ['high2', 'gus+high@example.com'],
  ['extreme1', 'hal+extreme@example.com'],
  ['listed', 'ivy@blocked.example'],
];

const candidatePath = () => join(server.dataDir, 'candidate.json');
const cli = (args: string[]) =>
  runCli(['--url', server.url, ...args], { env: cliEnv({ API_TOKEN: server.apiToken }) });

beforeAll(async () => {
  [server] = await Promise.all([
    startTestServer({ policy: { block: { email_domains: ['blocked.example'] } } }),
    ensureCliBuilt(),
  ]);
  for (const [name, email] of KNOWN_SET) ids[name] = (await screen(email)).verdict_id;
  // Review from medium up, block only at extreme, and no block list any more.
  await writeFile(
    candidatePath(),
    JSON.stringify({ version: 'candidate-2', thresholds: { email: { review: 'low', block: 'extreme' } } }),
  );
});

afterAll(() => server?.close());

describe('signup-gate replay', () => {
  it('--json prints the route answer: transitions counted over the known set, with no Defastra call', async () => {
    const before = server.sandbox.stats().requests;
    const result = await cli(['replay', '--policy', candidatePath(), '--json']);
    expect(result.code).toBe(0);
    const answer = jsonOf<WireReplay>(result);
    expect(answer.total).toBe(9);
    expect(answer.changed).toBe(5);
    expect(answer.truncated).toBe(false);
    expect(answer.transitions).toEqual({
      allow: { review: 3 },
      review: { review: 2 },
      block: { review: 2, block: 1 },
    });
    expect(new Set(answer.items.map((i) => `${i.verdict_id} ${i.from}->${i.to}`))).toEqual(
      new Set([
        `${ids.low1} allow->review`,
        `${ids.low2} allow->review`,
        `${ids.low3} allow->review`,
        `${ids.high1} block->review`,
        `${ids.high2} block->review`,
      ]),
    );
    // The listed verdict has no risk level to apply the candidate's thresholds to: reported, not guessed.
    expect(answer.unresolved).toEqual([expect.objectContaining({ verdict_id: ids.listed, from: 'block' })]);
    expect(server.sandbox.stats().requests).toBe(before);
  });

  it('prints the transition table, the changed verdicts and the unresolved ones', async () => {
    const result = await cli(['replay', '--policy', candidatePath()]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('9 verdicts re-decided, 5 would change');
    expect(lines).toContain('allow                  0          3         0      3');
    expect(lines).toContain('review                 0          2         0      2');
    expect(lines).toContain('block                  0          2         1      3');
    for (const name of ['low1', 'low2', 'low3', 'high1', 'high2']) expect(result.stdout).toContain(ids[name]);
    expect(result.stdout).toMatch(new RegExp(`${ids.high1}\\s+block\\s+review`));
    expect(result.stdout).toContain('unresolved: 1');
    expect(result.stdout).toContain(ids.listed);
    expect(result.stdout).not.toContain(ids.extreme1);
  });

  it('passes --source and --since on: another source has nothing to replay', async () => {
    const result = await cli([
      'replay',
      '--policy',
      candidatePath(),
      '--source',
      'auth0',
      '--since',
      '1h',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(jsonOf<WireReplay>(result)).toMatchObject({ total: 0, changed: 0, items: [] });
  });

  it('says what the candidate would catch of the labelled verdicts, and what the stored decisions did', async () => {
    const unlabelled = await cli(['replay', '--policy', candidatePath()]);
    expect(unlabelled.stdout.split('\n')[1]).toMatch(/^no labelled verdicts among them/);

    const label = async (name: string, value: 'fraud' | 'legit') => {
      const res = await fetch(`${server.url}/verdicts/${ids[name]}/outcome`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ label: value }),
      });
      expect(res.status).toBe(200);
    };
    await label('low1', 'fraud'); // allow → review: caught now
    await label('high1', 'legit'); // block → review: no longer blocked
    await label('extreme1', 'legit'); // block → block
    await label('listed', 'fraud'); // unresolved: in neither count

    const result = await cli(['replay', '--policy', candidatePath()]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[1]).toBe('would catch 1 of 1 known fraud, block 1 of 2 known good users');
    expect(lines[2]).toBe('(as decided: caught 0 of 1 known fraud, blocked 2 of 2 known good users)');

    const json = jsonOf<WireReplay>(await cli(['replay', '--policy', candidatePath(), '--json']));
    expect(json).toMatchObject({ fraud_caught: 1, legit_blocked: 0.5 });
    expect(json.outcomes).toEqual({
      allow: { fraud: 0, legit: 0 },
      review: { fraud: 1, legit: 1 },
      block: { fraud: 0, legit: 1 },
    });
  });

  it('rejects an invalid candidate before calling the server, naming the field as start-up does', async () => {
    const bad = join(server.dataDir, 'bad.json');
    await writeFile(bad, JSON.stringify({ thresholds: { email: { block: 'huge' } } }));
    const result = await cli(['replay', '--policy', bad]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^signup-gate: .*bad\.json: invalid policy: thresholds\.email\.block: /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);

    const missing = await cli(['replay', '--policy', join(server.dataDir, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.json: cannot read (ENOENT)');
  });
});
