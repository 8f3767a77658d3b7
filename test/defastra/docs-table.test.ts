/** Replays every row of the docs/sandbox.md identity tables against a live sandbox. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DefastraClient } from '../../shared/defastra/client.js';
import { DEFASTRA_ERROR_TYPES } from '../../shared/defastra/errors.js';
import type { Sandbox } from '../../shared/defastra/sandbox/server.js';
import { useSandboxClient } from './helpers.js';

/** docs/sandbox.md, read as the table of record: every row must hold against a live sandbox. */
const doc = readFileSync(new URL('../../docs/sandbox.md', import.meta.url), 'utf8');
const lines = doc.split('\n');

const levelRows = lines.flatMap((line) => {
  const match = /^\|\s*`([^`]+)`[^|]*\|\s*(low|medium|high|extreme)\s*\|\s*(\d+)/.exec(line);
  return match ? [{ identity: match[1]!, level: match[2]!, score: Number(match[3]) }] : [];
});

const errorRows = lines.flatMap((line) => {
  const match = /^\|\s*`([A-Z_0-9]+)`\s*\|\s*`([^`]+@[^`]+)`\s*\|\s*`(\d+)`\s*\|/.exec(line);
  return match ? [{ type: match[1]!, email: match[2]!, phone: match[3]! }] : [];
});

let _sandbox: Sandbox;
let client: DefastraClient;
useSandboxClient(
  (s, c) => {
    _sandbox = s;
    client = c;
  },
  { resetEach: false },
);

const check = (identity: string) =>
  identity.includes('@')
    ? client.checkEmail(identity, { retry: false })
    : client.checkPhone(identity, { retry: false });

describe('docs/sandbox.md identity tables', () => {
  it('documents 7 email rows, 5 phone rows and every error type', () => {
    expect(levelRows.filter((row) => row.identity.includes('@'))).toHaveLength(7);
    expect(levelRows.filter((row) => !row.identity.includes('@'))).toHaveLength(5);
    expect(errorRows.map((row) => row.type).sort()).toEqual([...DEFASTRA_ERROR_TYPES].sort());
  });

  it.each(levelRows)('$identity → $level ($score)', async ({ identity, level, score }) => {
    await expect(check(identity)).resolves.toMatchObject({ riskLevel: level, riskScore: score });
  });

  it.each(errorRows)('$type: $email and $phone', async ({ type, email, phone }) => {
    await expect(check(email)).rejects.toMatchObject({ type });
    await expect(check(phone)).rejects.toMatchObject({ type });
  });
});
