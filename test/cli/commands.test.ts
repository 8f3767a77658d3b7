/**
 * The built CLI against the real local server (a child process per command, as an operator runs it):
 * screen, verdicts list/get, review, lists add/list/remove and stats, as tables and as `--json`, plus the
 * API's errors as one line with exit code 1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireListEntry, WirePage, WireStats, WireVerdict } from '../../cli/wire.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { type CliResult, cliEnv, ensureCliBuilt, jsonOf, runCli } from './run-cli.js';

let server: TestServer;
/** Runs the CLI against the test server; the token comes from DATA_DIR/dev-secrets.json as for `npm start`. */
const cli = (...args: string[]): Promise<CliResult> =>
  runCli(['--url', server.url, ...args], { env: cliEnv({ DATA_DIR: server.dataDir }) });

const ok = (result: CliResult): CliResult => {
  if (result.code !== 0)
    throw new Error(`exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result;
};

let blocked: WireVerdict;
let review: WireVerdict;
let allowed: WireVerdict;

beforeAll(async () => {
  [server] = await Promise.all([startTestServer(), ensureCliBuilt()]);
});
afterAll(() => server?.close());

describe('signup-gate screen', () => {
  it('screens with --json and answers the verdict as the API gives it', async () => {
    blocked = jsonOf<WireVerdict>(
      ok(
        await cli(
          'screen',
          '--email',
          'jane+high@example.org',
          '--phone',
          '+33 6 00 00 00 02',
          '--reference',
          'user-42',
          '--json',
        ),
      ),
    );
    expect(blocked).toMatchObject({
      source: 'api',
      source_ref: 'user-42',
      decision: 'block',
      email: { masked: 'j***@example.org', risk_level: 'high' },
      phone: { masked: '+33*******02', risk_level: 'medium' },
    });
    review = jsonOf<WireVerdict>(ok(await cli('screen', '--email', 'kim+medium@example.com', '--json')));
    expect(review.decision).toBe('review');
  });

  it('prints a readable verdict by default, with no raw email or phone', async () => {
    const result = ok(await cli('screen', '--email', 'lou@example.com', '--phone', '+33600000001'));
    expect(result.stdout).toMatch(/^verdict\s+[0-9A-Z]{26}$/m);
    expect(result.stdout).toMatch(/^decision\s+allow$/m);
    expect(result.stdout).toMatch(/^email\s+l\*\*\*@example\.com {2}low \(0\)/m);
    expect(result.stdout).toMatch(/^phone\s+\+33\*{7}01 {2}low \(0\)/m);
    expect(result.stdout).not.toContain('lou@example.com');
    expect(result.stdout).not.toContain('600000001');
    allowed = jsonOf<WireVerdict>(
      ok(await cli('verdicts', 'get', /^verdict\s+(\S+)$/m.exec(result.stdout)![1]!, '--json')),
    );
    expect(allowed.decision).toBe('allow');
  });

  it('an Idempotency-Key gives the same verdict back', async () => {
    const first = jsonOf<WireVerdict>(
      ok(await cli('screen', '--email', 'max@example.com', '--idempotency-key', 'order-4711', '--json')),
    );
    const again = jsonOf<WireVerdict>(
      ok(await cli('screen', '--email', 'max@example.com', '--idempotency-key', 'order-4711', '--json')),
    );
    expect(again.verdict_id).toBe(first.verdict_id);
  });
});

describe('signup-gate verdicts', () => {
  it('list --json is the API page; filters pass through', async () => {
    const [all, blocks, byEmail] = (
      await Promise.all([
        cli('verdicts', 'list', '--json'),
        cli('verdicts', 'list', '--decision', 'block', '--json'),
        cli('verdicts', 'list', '--email', 'JANE+high@example.org', '--json'),
      ])
    ).map((r) => jsonOf<WirePage<WireVerdict>>(ok(r)));
    expect(all!.next_cursor).toBeNull();
    expect(all!.items.map((v) => v.verdict_id)).toEqual(
      expect.arrayContaining([blocked.verdict_id, review.verdict_id]),
    );
    expect(blocks!.items.map((v) => v.verdict_id)).toEqual([blocked.verdict_id]);
    expect(byEmail!.items.map((v) => v.verdict_id)).toEqual([blocked.verdict_id]);
  });

  it('pages with --limit and follows every page with --all', async () => {
    const [firstRun, table, allRun] = await Promise.all([
      cli('verdicts', 'list', '--limit', '2', '--json'),
      cli('verdicts', 'list', '--limit', '2'),
      cli('verdicts', 'list', '--limit', '2', '--all', '--json'),
    ]);
    const first = jsonOf<WirePage<WireVerdict>>(ok(firstRun));
    expect(first.items).toHaveLength(2);
    expect(first.next_cursor).toEqual(expect.any(String));
    expect(ok(table).stdout).toContain(`more: add --cursor ${first.next_cursor} (or --all)`);
    const all = jsonOf<WirePage<WireVerdict>>(ok(allRun));
    expect(all.next_cursor).toBeNull();
    expect(all.items).toHaveLength(4);
    expect(new Set(all.items.map((v) => v.verdict_id)).size).toBe(4);
  });

  it('list prints a compact table (within 100 columns), newest first; --wide shows every column', async () => {
    const [compact, wide] = await Promise.all([
      cli('verdicts', 'list', '--since', '1h'),
      cli('verdicts', 'list', '--since', '1h', '--wide'),
    ]);
    const lines = ok(compact).stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^VERDICT\s+AGE\s+DECISION\s+SOURCE\s+EMAIL\/PHONE\s+REASONS\s+REVIEW$/);
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    const row = lines.find((l) => l.startsWith(blocked.verdict_id));
    expect(row).toMatch(/^\w{26}\s+\d+[smh]\s+block\s+api\s+j\*\*\*@example\.org\s+email_risk\+1\s+-$/);
    const wideLines = ok(wide).stdout.trim().split('\n');
    expect(wideLines[0]).toMatch(
      /^VERDICT\s+CREATED\s+SOURCE\s+DECISION\s+EMAIL\s+PHONE\s+REASONS\s+REVIEW$/,
    );
    expect(wideLines.find((l) => l.startsWith(blocked.verdict_id))).toMatch(
      /api\s+block\s+j\*\*\*@example\.org high \(34\)\s+\+33\*{7}02 medium \(12\)\s+email_risk,phone_risk\s+-$/,
    );
  });

  it('get shows reasons and checks; an unknown id is one line on stderr and exit 1', async () => {
    const [found, missing] = await Promise.all([
      cli('verdicts', 'get', blocked.verdict_id),
      cli('verdicts', 'get', '01JDX3K8Y0Q5W6Z8N2M4P6R8T0'),
    ]);
    const result = ok(found);
    expect(result.stdout).toMatch(
      /^reasons\s+email_risk {2}email risk_level high reaches the block threshold \(high\)$/m,
    );
    expect(result.stdout).toMatch(/^\s+EMAIL_\w+ \((risk|trust|neutral)\)/m);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe('signup-gate: 404 not_found: no verdict with this id\n');
  });
});

describe('signup-gate review', () => {
  it('approves with a note and shows the review; --review approved finds it', async () => {
    const reviewed = jsonOf<WireVerdict>(
      ok(await cli('review', review.verdict_id, 'approve', '--note', 'known customer', '--json')),
    );
    expect(reviewed.review).toMatchObject({
      outcome: 'approve',
      note: 'known customer',
      reviewed_by: 'local',
    });
    const [humanRun, approvedRun] = await Promise.all([
      cli('verdicts', 'get', review.verdict_id),
      cli('verdicts', 'list', '--review', 'approved', '--json'),
    ]);
    expect(ok(humanRun).stdout).toMatch(/^review\s+approved by local at \S+ - known customer$/m);
    const approved = jsonOf<WirePage<WireVerdict>>(ok(approvedRun));
    expect(approved.items.map((v) => v.verdict_id)).toEqual([review.verdict_id]);
  });

  it('a later review replaces it; --add-to-list creates block entries from the stored hashes', async () => {
    const result = ok(await cli('review', blocked.verdict_id, 'reject', '--add-to-list'));
    expect(result.stdout).toMatch(/^review\s+rejected by local at /m);
    const entries = jsonOf<WirePage<WireListEntry>>(
      ok(await cli('lists', 'list', '--action', 'block', '--json')),
    );
    expect(entries.items.map((e) => `${e.kind} ${e.masked}`).sort()).toEqual([
      'email j***@example.org',
      'phone +33*******02',
    ]);
    await Promise.all(entries.items.map(async (entry) => ok(await cli('lists', 'remove', entry.entry_id))));
  });

  it('refuses a bad outcome (usage, exit 2) and an unknown verdict (exit 1)', async () => {
    const [bad, unknown] = await Promise.all([
      cli('review', review.verdict_id, 'maybe'),
      cli('review', '01JDX3K8Y0Q5W6Z8N2M4P6R8T0', 'reject'),
    ]);
    expect(bad.code).toBe(2);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^signup-gate: 404 not_found: /);
  });
});

describe('signup-gate lists', () => {
  it('adds (201, then 200 for the same entry), lists and removes entries', async () => {
    const added = ok(
      await cli('lists', 'add', 'block', 'email_domain', 'Spammy.Example', '--note', 'wave of bots'),
    );
    const id = /^added (\S+)$/m.exec(added.stdout)?.[1];
    expect(id).toBeDefined();
    expect(added.stdout).toMatch(/^value\s+spammy\.example$/m);
    const again = ok(await cli('lists', 'add', 'block', 'email_domain', 'spammy.example'));
    expect(again.stdout).toContain(`already listed as ${id}`);

    const allow = jsonOf<WireListEntry>(
      ok(await cli('lists', 'add', 'allow', 'email', 'ceo@example.com', '--expires', '30d', '--json')),
    );
    expect(allow).toMatchObject({
      kind: 'email',
      action: 'allow',
      masked: 'c***@example.com',
      created_by: 'local',
    });
    expect(Date.parse(allow.expires_at!) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const listed = jsonOf<WirePage<WireListEntry>>(ok(await cli('lists', 'list', '--json')));
    expect(listed.items.map((e) => e.entry_id).sort()).toEqual([id, allow.entry_id].sort());
    const table = ok(await cli('lists', 'list', '--kind', 'email_domain'));
    expect(table.stdout).toMatch(
      new RegExp(`^${id}\\s+block\\s+email_domain\\s+spammy\\.example\\s+wave of bots\\s+`, 'm'),
    );
    expect(table.stdout).not.toContain(allow.entry_id);

    // The list applies to screening at once: a blocked domain is blocked without a Defastra call.
    const screened = jsonOf<WireVerdict>(ok(await cli('screen', '--email', 'bot1@spammy.example', '--json')));
    expect(screened.decision).toBe('block');
    expect(screened.email?.listed).toBe('block');

    const removed = jsonOf(ok(await cli('lists', 'remove', id!, '--json')));
    expect(removed).toEqual({ entry_id: id, removed: true });
    const twice = await cli('lists', 'remove', id!);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/^signup-gate: 404 not_found: /);
    ok(await cli('lists', 'remove', allow.entry_id));
  });

  it('a bad value is the API 400 on one line; a bad kind is a usage error', async () => {
    const [bad, usage] = await Promise.all([
      cli('lists', 'add', 'block', 'phone', 'not-a-phone'),
      cli('lists', 'add', 'block', 'username', 'x'),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^signup-gate: 400 invalid_request: .+\n$/);
    expect(bad.stderr).not.toContain('not-a-phone');
    expect(usage.code).toBe(2);
  });
});

describe('signup-gate stats', () => {
  it('--json is the API answer: today counts what this file screened', async () => {
    const stats = jsonOf<WireStats>(ok(await cli('stats', '--json')));
    expect(stats.buckets).toHaveLength(14);
    const today = stats.buckets.at(-1)!;
    expect(today.start.slice(0, 10)).toBe(new Date().toISOString().slice(0, 10));
    expect(today).toMatchObject({ block: 2, review: 1 });
    expect(today.allow).toBeGreaterThanOrEqual(2);
    expect(today.by_source.api).toMatchObject({ block: 2, review: 1 });
  });

  it('prints one row per bucket and a total; --bucket hour works; a bad bucket is usage', async () => {
    const [text, hourlyRun, week] = await Promise.all([
      cli('stats', '--since', '3d'),
      cli('stats', '--bucket', 'hour', '--since', '2h', '--json'),
      cli('stats', '--bucket', 'week'),
    ]);
    const result = ok(text);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^START\s+ALLOW\s+REVIEW\s+BLOCK\s+DEGRADED\s+DEFASTRA\s+CACHE HITS\s+VELOCITY\s+SPEND LIMIT$/,
    );
    expect(lines.find((l) => l.startsWith('total'))).toMatch(/^total\s+\d+\s+1\s+2\s+/);
    expect(result.stdout).toMatch(/^api\s+\d+\s+1\s+2$/m);
    const hourly = jsonOf<WireStats>(ok(hourlyRun));
    expect(hourly.buckets.length).toBeGreaterThanOrEqual(2);
    expect(week.code).toBe(2);
  });
});
