/**
 * `signup-gate backfill` against the real local server and its Defastra sandbox (which counts requests):
 * `--dry-run` counts, a 200-row CSV backfill interrupted with SIGINT and resumed with no second Defastra
 * call for rows already done (the cache is off, so only the Idempotency-Keys can spare those calls) and a
 * summary that says how many there were, bad
 * rows reported by line, `--out` with masked values only, and Auth0's JSON-lines export as is.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireVerdict } from '../../cli/wire.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { type CliResult, cliEnv, ensureCliBuilt, jsonOf, runCli, spawnCli } from './run-cli.js';

let server: TestServer;
let usersCsv: string;
/** The --out file of the complete (resumed) run. */
let resultsFile: string;
const env = () => cliEnv({ API_TOKEN: server.apiToken });
const cli = (...args: string[]): Promise<CliResult> => runCli(['--url', server.url, ...args], { env: env() });

interface UserRow {
  email: string;
  phone: string;
  reference: string;
  decision: 'allow' | 'review' | 'block';
}

/** 200 distinct users: every 10th medium (review), every 25th high (block), every 4th with a phone too. */
const USERS: UserRow[] = Array.from({ length: 200 }, (_, i) => {
  const tag = i % 25 === 0 ? '+high' : i % 10 === 0 ? '+medium' : '';
  return {
    email: `user${i}${tag}@example.com`,
    phone: i % 4 === 0 ? `+33 6 1${String(i).padStart(3, '0')} 0${String(i % 10)}00` : '',
    reference: `user-${i}`,
    decision: tag === '+high' ? 'block' : tag === '+medium' ? 'review' : 'allow',
  };
});
const EXPECTED_CALLS = USERS.length + USERS.filter((u) => u.phone).length;
const count = (decision: UserRow['decision']) => USERS.filter((u) => u.decision === decision).length;

/** Parses the --out CSV (no quoted fields in these results). */
const readOut = async (path: string): Promise<Array<Record<string, string>>> => {
  const [header, ...lines] = (await readFile(path, 'utf8')).trim().split('\r\n');
  const names = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i]!, v])));
};

beforeAll(async () => {
  // cache_hours 0: a repeated email would otherwise be answered from the cache, hiding a second screening.
  [server] = await Promise.all([startTestServer({ policy: { cache_hours: 0 } }), ensureCliBuilt()]);
  const lines = ['email,phone,reference,ip'];
  USERS.forEach((u, i) => {
    lines.push(`${u.email},${u.phone},${u.reference},`);
    if (i === 10) lines.push(',,no-identifiers,'); // bad: neither email nor phone
    if (i === 20) lines.push('x@example.com,1,2,3,4'); // bad: five columns
    if (i === 30)
      lines.push(`  ${USERS[0]!.email.toUpperCase()} ,${USERS[0]!.phone},${USERS[0]!.reference},`); // duplicate of the first row
  });
  usersCsv = join(server.dataDir, 'users.csv');
  await writeFile(usersCsv, `${lines.join('\n')}\n`);
});

afterAll(() => server?.close());

describe('signup-gate backfill', () => {
  it('--dry-run counts rows, bad rows (by line), duplicates and Defastra calls, and calls nothing', async () => {
    const before = server.sandbox.stats().requests;
    const result = await cli('backfill', usersCsv, '--dry-run', '--json');
    expect(result.code).toBe(0);
    expect(jsonOf(result)).toEqual({
      file: usersCsv,
      format: 'csv',
      rows: 203,
      bad_rows: 2,
      duplicates: 1,
      to_screen: 200,
      defastra_calls: { email: 200, phone: 50, total: EXPECTED_CALLS },
    });
    // Line 1 is the header: user i is on line i + 2, plus the extra rows inserted before it.
    expect(result.stderr).toBe(
      'line 13: skipped: no email and no phone\nline 24: skipped: wrong number of columns\n',
    );
    expect(server.sandbox.stats().requests).toBe(before);

    const human = await cli('backfill', usersCsv, '--dry-run');
    expect(human.stdout).toMatch(/^to screen\s+200$/m);
    expect(human.stdout).toMatch(/^Defastra calls\s+at most 250 \(200 email \+ 50 phone\)$/m);
  });

  it('is interrupted by SIGINT, then a rerun resumes with no second Defastra call for done rows', async () => {
    server.sandbox.resetStats();
    const firstOut = join(server.dataDir, 'first.csv');
    const first = spawnCli(['--url', server.url, 'backfill', usersCsv, '--rate', '50', '--out', firstOut], {
      env: env(),
    });
    // Plain progress lines on stderr (not a terminal): interrupt after the first one.
    await expect
      .poll(() => /backfill: \d+\/200 \(/.test(first.stderr()), { timeout: 10_000, interval: 20 })
      .toBe(true);
    first.child.kill('SIGINT');
    const interrupted = await first.done;
    expect(interrupted.code).toBe(1);
    expect(interrupted.stderr).toMatch(/stopping: (finishing \d+ rows? in flight|no row in flight)/);
    const done = await readOut(firstOut);
    const screenedFirst = Number(/^backfill: (\d+) screened, /m.exec(interrupted.stdout)?.[1]);
    expect(screenedFirst).toBe(done.length);
    expect(screenedFirst).toBeGreaterThan(0);
    expect(screenedFirst).toBeLessThan(200);
    expect(interrupted.stdout).toContain(
      `${200 - screenedFirst} rows not screened yet: run the same command again to resume`,
    );
    expect(interrupted.stdout.trim().split('\n').at(-1)).toMatch(
      /^backfill: \d+ screened, \d+ allow, \d+ review, \d+ block, 2 failed$/,
    );
    // Every row started was finished (no abandoned request), one Defastra call per identifier.
    const callsFirst = done.length + done.filter((r) => r.phone !== '').length;
    expect(server.sandbox.stats().requests).toBe(callsFirst);

    // The first run's summary says nothing of earlier runs: there was none.
    expect(interrupted.stdout).not.toContain('earlier run');

    const secondOut = join(server.dataDir, 'second.csv');
    const resumed = await cli('backfill', usersCsv, '--concurrency', '8', '--out', secondOut);
    // The resumed run says how many rows the first had done, and that they cost no Defastra call.
    expect(resumed.stdout).toContain(
      `${screenedFirst} of these 200 rows were already done by an earlier run: answered from their stored verdicts, no Defastra call made for them\n`,
    );
    expect(resumed.stdout.trim().split('\n').at(-1)).toBe(
      `backfill: 200 screened, ${count('allow')} allow, ${count('review')} review, ${count('block')} block, 2 failed`,
    );
    expect(resumed.code).toBe(1); // the two bad rows
    // 250 calls in all: the rows of the first run were answered from their stored verdicts.
    expect(server.sandbox.stats().requests).toBe(EXPECTED_CALLS);
    const all = await readOut(secondOut);
    expect(all).toHaveLength(200);
    const byLine = new Map(all.map((r) => [r.line, r]));
    for (const row of done) expect(byLine.get(row.line)?.verdict_id).toBe(row.verdict_id);

    resultsFile = secondOut;
  }, 60_000); // two runs of 200 rows, the first paced at 50 rows/s: over 20 s on a loaded machine

  it('--out holds masked values only, with the decision and reasons of each row', async () => {
    const text = await readFile(resultsFile, 'utf8');
    expect(text.split('\r\n')[0]).toBe(
      'line,reference,email,phone,decision,degraded,reasons,verdict_id,error',
    );
    expect(text).not.toMatch(/user\d+(\+\w+)?@/);
    expect(text).not.toMatch(/1\d{3} ?0\d00/);
    const rows = await readOut(resultsFile);
    const blocked = rows.find((r) => r.reference === 'user-25');
    expect(blocked).toMatchObject({
      email: 'u***@example.com',
      decision: 'block',
      reasons: 'email_risk',
      degraded: 'false',
    });
    const withPhone = rows.find((r) => r.reference === 'user-4');
    // A spreadsheet would read a leading + as a formula: the field starts with ' (text).
    expect(withPhone?.phone).toMatch(/^'\+33\*+00$/);
  });

  it('--out neutralises spreadsheet formulas and masks emails in references (stored verdicts too)', async () => {
    const file = join(server.dataDir, 'formulas.csv');
    const out = join(server.dataDir, 'formulas-out.csv');
    const run = `${process.pid}${Date.now()}`;
    await writeFile(
      file,
      [
        'email,reference',
        `=f${run}@example.com,"=HYPERLINK(""http://evil.example"",""x"")"`,
        `g${run}@example.com,@A1`,
        `h${run}@example.com,+1+1`,
        `i${run}@example.com,crm:Jane.Doe${run}@Corp.example`,
        `j${run}@example.com,-2+3`,
      ].join('\n'),
    );
    const result = await cli('backfill', file, '--out', out);
    expect(result.code, result.stderr).toBe(0);
    const text = await readFile(out, 'utf8');
    // No field starts with a formula character: each such field begins with ' (inside quotes when quoted).
    for (const field of text.trim().split(/\r\n|,/)) expect(field, field).not.toMatch(/^"?[=+\-@\t\r]/);
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(text).toContain(",'@A1,");
    expect(text).toContain(",'+1+1,");
    expect(text).toContain(",'-2+3,");
    expect(text).toContain(",'=***@example.com,");
    expect(text).toContain(',crm:j***@corp.example,');
    expect(text).not.toContain(`jane.doe${run}`);
    // The stored verdict holds the masked reference too, never the address.
    const verdicts = await fetch(`${server.url}/verdicts?source=api&limit=100`, {
      headers: { Authorization: `Bearer ${server.apiToken}` },
    });
    const body = await verdicts.text();
    expect(body).toContain('crm:j***@corp.example');
    expect(body.toLowerCase()).not.toContain(`jane.doe${run}`);
  });

  it("reads Auth0's JSON-lines export as is, reports a bad line, and prints JSON with --json", async () => {
    const file = join(server.dataDir, 'auth0-export.json');
    const users = [
      {
        user_id: 'auth0|65a1',
        email: 'ann.auth0@example.com',
        email_verified: true,
        created_at: '2025-01-01T00:00:00.000Z',
      },
      { user_id: 'google-oauth2|1077', email: 'bob.auth0+high@example.com', name: 'Bob' },
      { user_id: 'sms|65a3', phone_number: '+33600000003', phone_verified: true },
    ];
    const lines = users.map((u) => JSON.stringify(u));
    lines.splice(1, 0, '{"user_id": "auth0|broken",');
    await writeFile(file, `${lines.join('\n')}\n`);
    const result = await cli('backfill', file, '--json');
    expect(result.stderr).toContain('line 2: skipped: not valid JSON');
    expect(result.stderr).toContain('backfill: 3 screened, 1 allow, 0 review, 2 block, 1 failed');
    expect(jsonOf(result)).toEqual({
      rows: 4,
      screened: 3,
      already_done: 0,
      allow: 1,
      review: 0,
      block: 2,
      failed: 1,
      bad_rows: 1,
      duplicates: 0,
      not_done: 0,
      interrupted: false,
    });
    const res = await fetch(`${server.url}/verdicts?source=api&limit=3`, {
      headers: { authorization: `Bearer ${server.apiToken}` },
    });
    const { items } = (await res.json()) as { items: WireVerdict[] };
    expect(items.map((v) => v.source_ref).sort()).toEqual(['auth0|65a1', 'google-oauth2|1077', 'sms|65a3']);
    expect(items.find((v) => v.source_ref === 'sms|65a3')?.phone).toMatchObject({
      masked: '+33*******03',
      risk_level: 'high',
    });
  });

  it('refuses what it cannot read: unknown format (usage), missing file, no identifier column', async () => {
    expect((await cli('backfill', join(server.dataDir, 'users.txt'))).code).toBe(2);
    const missing = await cli('backfill', join(server.dataDir, 'nope.csv'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.csv: cannot read \(ENOENT\)\n$/);
    const noColumn = join(server.dataDir, 'names.csv');
    await writeFile(noColumn, 'name,country\nAnn,FR\n');
    const result = await cli('backfill', noColumn, '--dry-run');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/names\.csv: the header has no email or phone column/);
  });

  it('a second Ctrl-C abandons the rows in flight at once; they are left for the next run', async () => {
    const file = join(server.dataDir, 'slow.csv');
    await writeFile(file, 'email\nslow1@example.com\nslow2@example.com\nslow3@example.com\n');
    server.sandbox.setFaults({ latencyMs: 2500 });
    try {
      const run = spawnCli(['--url', server.url, 'backfill', file], { env: env() });
      await expect
        .poll(() => run.stderr().includes('3 rows to screen'), { timeout: 5000, interval: 20 })
        .toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the requests are waiting on Defastra
      const interruptedAt = Date.now();
      run.child.kill('SIGINT');
      await expect
        .poll(() => run.stderr().includes('stopping: finishing 3 rows in flight'), {
          timeout: 2000,
          interval: 10,
        })
        .toBe(true);
      run.child.kill('SIGINT');
      const result = await run.done;
      expect(Date.now() - interruptedAt).toBeLessThan(2000);
      expect(result.stderr).toContain('abandoning the rows in flight');
      expect(result.stdout).toBe(
        '3 rows not screened yet: run the same command again to resume (done rows cost no new Defastra call)\nbackfill: 0 screened, 0 allow, 0 review, 0 block, 0 failed\n',
      );
      expect(result.code).toBe(1);
    } finally {
      server.sandbox.clearFaults();
    }
  });
});
