/**
 * `POST /verdicts/{id}/rescreen` on the real local server (dynalite, sandbox): 200 with the re-screened verdict and a
 * `Verdict Rescreened` event in events.jsonl, 409 once it is no longer pending or for a verdict that never was
 * provisional, 404 unknown, 401 without the token. The background loop is off here (RESCREEN_INTERVAL_MS=0).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../shared/core/verdict.js';
import type { VerdictEvent } from '../../shared/events/events.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { type ErrorAnswerBody, type Operator, operator } from '../helpers/operator.js';

let server: TestServer;
let api: Operator;
beforeAll(async () => {
  server = await startTestServer({ env: { RESCREEN_INTERVAL_MS: '0' } });
  api = operator(server.url, server.apiToken);
});
afterAll(() => server.close());

const rescreen = (id: string) => api.request<Verdict & ErrorAnswerBody>('POST', `/verdicts/${id}/rescreen`);

const events = async (): Promise<VerdictEvent[]> => {
  await server.server.events.drain();
  const text = await readFile(join(server.dataDir, 'events.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as VerdictEvent);
};

describe('POST /verdicts/{id}/rescreen', () => {
  it('re-screens a provisional verdict now: 200 the updated verdict, then 409', async () => {
    server.sandbox.setFaults({ errorType: 'SYSTEM_UNAVAILABLE' });
    const verdict = await api.screen({
      email: `forced.${process.pid}+high@example.org`,
      ip: '198.51.100.20',
    });
    server.sandbox.clearFaults();
    expect(verdict).toMatchObject({ decision: 'review', degraded: true, rescreen: { status: 'pending' } });

    const answer = await rescreen(verdict.verdict_id);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      verdict_id: verdict.verdict_id,
      decision: 'block',
      degraded: false,
      provisional_decision: 'review',
      rescreen: { status: 'done', attempts: 1, next_at: null },
      rescreened_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect((await api.request<Verdict>('GET', `/verdicts/${verdict.verdict_id}`)).body).toEqual(answer.body);
    const rescreened = (await events()).filter((e) => e['detail-type'] === 'Verdict Rescreened');
    expect(rescreened.map((e) => e.detail)).toEqual([answer.body]);

    const again = await rescreen(verdict.verdict_id);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
  });

  it('answers 409 for a verdict that is not provisional, 404 for an unknown one, 401 without the token', async () => {
    const plain = await api.screen({ email: `plain.${process.pid}+low@example.org` });
    expect(plain.rescreen).toBeNull();
    expect((await rescreen(plain.verdict_id)).status).toBe(409);
    const unknown = await rescreen('01JDX3K8Y0Q5W6Z8N2M4P6R8T0');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    expect((await rescreen('not-a-ulid')).status).toBe(404);
    const anonymous = await fetch(`${server.url}/verdicts/${plain.verdict_id}/rescreen`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
  });
});
