/** The CLI's pure parts, in process: reading backfill rows, row bodies and keys, retry rules, times, progress lines. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgress, formatDuration, progressLine } from '../../cli/backfill/progress.js';
import { callsFor, rowBody, rowKey } from '../../cli/backfill/row-key.js';
import { formatFromPath, type RowEvent, readRows } from '../../cli/backfill/rows.js';
import { retryDelayMs } from '../../cli/backfill/screen-row.js';
import { ApiCallError, CliError, NetworkError } from '../../cli/errors.js';
import { parseWhen } from '../../cli/when.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signup-gate-cli-units-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const rowsOf = async (
  name: string,
  content: string | Buffer,
  format: 'csv' | 'jsonl',
): Promise<RowEvent[]> => {
  const path = join(dir, name);
  await writeFile(path, content);
  const events: RowEvent[] = [];
  for await (const event of readRows(path, format)) events.push(event);
  return events;
};

describe('backfill rows', () => {
  it('numbers CSV rows by the line they start on, quoted line breaks and blank lines included', async () => {
    const csv =
      '\uFEFFEmail, Phone ,reference\r\na@example.com,,r1\r\n\r\n"b@example.com","+33 6 00\n00 00 01",r2\r\nc@example.com,,r3\r\n';
    expect(await rowsOf('lines.csv', csv, 'csv')).toEqual([
      { line: 2, row: { email: 'a@example.com', reference: 'r1' } },
      { line: 4, row: { email: 'b@example.com', phone: '+33 6 00\n00 00 01', reference: 'r2' } },
      { line: 6, row: { email: 'c@example.com', reference: 'r3' } },
    ]);
  });

  it("undoes Auth0's CSV escaping and reads its column names", async () => {
    const csv =
      'user_id,email,phone_number,name\n"\'auth0|1","\'ann@example.com","\'+33600000001","\'Ann ""A"""\n';
    expect(await rowsOf('auth0.csv', csv, 'csv')).toEqual([
      { line: 2, row: { reference: 'auth0|1', email: 'ann@example.com', phone: '+33600000001' } },
    ]);
  });

  it('reports bad rows without their values, in file order', async () => {
    const csv = 'email,phone\nsecret@example.com,1,2\n,\nok@example.com,\n"x@example.com"y,\n';
    const events = await rowsOf('bad.csv', csv, 'csv');
    expect(events[0]).toEqual({ line: 2, problem: 'wrong number of columns' });
    expect(events[1]).toEqual({ line: 3, problem: 'no email and no phone' });
    expect(events[2]).toEqual({ line: 4, row: { email: 'ok@example.com' } });
    expect(events[3]).toMatchObject({ line: 5, problem: 'malformed quotes' });
    expect(JSON.stringify(events)).not.toContain('secret');
  });

  it('reads JSON lines (gzipped too) with types checked and lengths bounded', async () => {
    const lines = [
      '{"email":"a@example.com","phone_number":33600000001,"user_id":"auth0|9"}',
      '{"email":42}',
      '[1]',
      'not json',
      '',
      `{"email":"${'x'.repeat(321)}"}`,
      '{"phone":null,"email":null,"reference":"r"}',
    ].join('\n');
    const expected = [
      { line: 1, row: { email: 'a@example.com', phone: '33600000001', reference: 'auth0|9' } },
      { line: 2, problem: '"email" is not a string' },
      { line: 3, problem: 'not a JSON object' },
      { line: 4, problem: 'not valid JSON' },
      { line: 6, problem: '"email" is longer than 320 characters' },
      { line: 7, problem: 'no email and no phone' },
    ];
    expect(await rowsOf('users.jsonl', lines, 'jsonl')).toEqual(expected);
    expect(await rowsOf('users.jsonl.gz', gzipSync(lines), 'jsonl')).toEqual(expected);
  });

  it('refuses a JSON array file with a hint, and names the format by the file name', async () => {
    await expect(rowsOf('array.json', '[{"email":"a@example.com"}]', 'jsonl')).rejects.toThrow(
      /a JSON array; .*jq -c/,
    );
    await expect(rowsOf('array.json', '[{"email":"a@example.com"}]', 'jsonl')).rejects.toBeInstanceOf(
      CliError,
    );
    expect(formatFromPath('users.CSV')).toBe('csv');
    expect(formatFromPath('tenant.json')).toBe('jsonl');
    expect(formatFromPath('users.ndjson.gz')).toBe('jsonl');
    expect(formatFromPath('users.txt')).toBeUndefined();
  });
});

describe('row body and Idempotency-Key', () => {
  it('serialises a row the same way whatever the input order, case of the email or padding', () => {
    const a = rowBody({ reference: 'r1', email: ' Jane@Example.COM ', phone: '+33 6 00 00 00 01' });
    const b = rowBody({ email: 'jane@example.com', phone: '+33 6 00 00 00 01 ', reference: 'r1' });
    expect(a).toBe(b);
    expect(a).toBe('{"email":"jane@example.com","phone":"+33 6 00 00 00 01","reference":"r1"}');
  });

  it('keys a body by HMAC under the secret: contract-shaped, stable, different per secret and per row', () => {
    const secret = Buffer.alloc(32, 1);
    const body = rowBody({ email: 'jane@example.com' });
    const key = rowKey(secret, body);
    expect(key).toMatch(/^[A-Za-z0-9._:-]{1,255}$/);
    expect(key).toMatch(/^backfill:[0-9a-f]{64}$/);
    expect(rowKey(secret, body)).toBe(key);
    expect(rowKey(Buffer.alloc(32, 2), body)).not.toBe(key);
    expect(rowKey(secret, rowBody({ email: 'john@example.com' }))).not.toBe(key);
  });

  it('counts at most one Defastra call per plausible email and per phone', () => {
    expect(callsFor({ email: 'a@example.com', phone: '+33600000001' })).toEqual({ email: 1, phone: 1 });
    expect(callsFor({ email: 'not-an-email' })).toEqual({ email: 0, phone: 0 });
    expect(callsFor({ phone: '0600000001' })).toEqual({ email: 0, phone: 1 });
  });
});

describe('retry rules', () => {
  const api = (status: number, code: string, retryAfterMs?: number) =>
    new ApiCallError(status, code, 'x', retryAfterMs);
  const mid = () => 0.5;

  it('waits for an in-progress twin as Retry-After says (1 s without it), for a while', () => {
    expect(retryDelayMs(api(409, 'in_progress', 3000), 1, mid)).toBe(3000);
    expect(retryDelayMs(api(409, 'in_progress'), 1, mid)).toBe(1000);
    expect(retryDelayMs(api(409, 'in_progress'), 40, mid)).toBeNull();
  });

  it('backs off exponentially on 429, 5xx and network errors, honouring Retry-After, then gives up', () => {
    expect(retryDelayMs(api(503, 'store_unavailable', 2000), 1, mid)).toBe(2000);
    expect(retryDelayMs(api(429, 'http_429'), 1, mid)).toBe(500);
    expect(retryDelayMs(api(502, 'http_502'), 3, mid)).toBe(2000);
    expect(retryDelayMs(new NetworkError('cannot reach'), 2, mid)).toBe(1000);
    expect(retryDelayMs(api(503, 'x', 600_000), 1, mid)).toBe(60_000);
    expect(retryDelayMs(api(500, 'internal'), 6, mid)).toBeNull();
  });

  it('never retries what a retry cannot fix', () => {
    for (const [status, code] of [
      [400, 'invalid_request'],
      [401, 'unauthorized'],
      [404, 'not_found'],
      [409, 'conflict'],
      [422, 'idempotency_key_reused'],
    ] as const)
      expect(retryDelayMs(api(status, code), 1, mid)).toBeNull();
    expect(retryDelayMs(new Error('bug'), 1, mid)).toBeNull();
  });
});

describe('times and progress', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');

  it('parses ISO dates and durations, in the past or the future', () => {
    expect(parseWhen('2026-11-01', now)).toBe('2026-11-01T00:00:00.000Z');
    expect(parseWhen('2026-11-01T10:00:00+01:00', now)).toBe('2026-11-01T09:00:00.000Z');
    expect(parseWhen('90m', now)).toBe('2026-11-30T10:30:00.000Z');
    expect(parseWhen('7d', now)).toBe('2026-11-23T12:00:00.000Z');
    expect(parseWhen('2w', now, 'future')).toBe('2026-12-14T12:00:00.000Z');
    for (const bad of ['yesterday', '2026-13-01', '7y', '', '2026-11-01 10:00'])
      expect(() => parseWhen(bad, now)).toThrow(/ISO 8601/);
  });

  it('formats plain progress lines with rate, ETA and decisions so far', () => {
    expect(progressLine(40, 200, 4000, { allow: 30, review: 6, block: 3, failed: 1 })).toBe(
      'backfill: 40/200 (20%), 10.0/s, ETA 16s; 30 allow, 6 review, 3 block, 1 failed',
    );
    expect(formatDuration(245)).toBe('4m05s');
    expect(formatDuration(3720)).toBe('1h02m');
    expect(formatDuration(Number.NaN)).toBe('?');
  });

  /** A stand-in terminal: collects what the bar draws. */
  const fakeStream = (isTTY: boolean) => {
    let text = '';
    const stream = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          text += chunk.toString('utf8');
          callback();
        },
      }),
      { isTTY, columns: 120 },
    ) as unknown as NodeJS.WriteStream;
    return { stream, text: () => text };
  };

  it('draws a bar on a terminal, and a line logged just before the end is not lost', () => {
    const tty = fakeStream(true);
    const progress = createProgress(40, tty.stream);
    progress.update(10, { allow: 7, review: 2, block: 1, failed: 0 });
    progress.log('line 3: failed: 400 invalid_request: x');
    progress.stop();
    expect(tty.text()).toContain('10/40 | ');
    expect(tty.text()).toContain('7 allow, 2 review, 1 block, 0 failed');
    expect(tty.text()).toContain('line 3: failed: 400 invalid_request: x');
  });

  it('prints plain lines every 10% elsewhere', () => {
    const plain = fakeStream(false);
    const progress = createProgress(40, plain.stream);
    for (let done = 1; done <= 40; done++)
      progress.update(done, { allow: done, review: 0, block: 0, failed: 0 });
    const lines = plain.text().trim().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(
      /^backfill: 4\/40 \(10%\), [\d.]+\/s, ETA \S+; 4 allow, 0 review, 0 block, 0 failed$/,
    );
    expect(lines[9]).toMatch(/^backfill: 40\/40 \(100%\)/);
  });
});
