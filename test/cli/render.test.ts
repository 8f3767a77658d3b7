/** How verdicts read in a terminal: `verdicts list` fits ~100 columns, even with long values, and ages read like kubectl's. */
import { describe, expect, it } from 'vitest';
import { clip, shortAge } from '../../cli/output.js';
import { verdictTable, wideVerdictTable } from '../../cli/render/verdict.js';
import type { WireVerdict } from '../../cli/wire.js';
import { withVerdictDefaults } from '../../shared/core/verdict.js';

const NOW = Date.parse('2026-11-30T12:00:00.000Z');
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const plain = (text: string): string[] => text.replace(ANSI, '').split('\n');

const verdict = (overrides: Partial<WireVerdict>): WireVerdict => ({
  ...withVerdictDefaults({
    verdict_id: '01M8N38FJ6CXJND68X9YCDC5G1',
    created_at: '2026-11-30T11:58:00.000Z',
    source: 'api',
    source_ref: null,
    subject_ref: null,
    decision: 'allow',
    reasons: [],
    degraded: false,
    email: { masked: 's***@example.com', risk_level: 'low', risk_score: 0 },
    phone: null,
    policy_version: 'default-1',
    review: null,
  }),
  ...overrides,
});

/** The widest values each column can hold: the longest source, reasons, masks, a degraded review. */
const WIDEST: WireVerdict[] = [
  verdict({
    verdict_id: '01M8N38GSN85240RDBPY01K1HA',
    source: 'supabase',
    decision: 'review',
    degraded: true,
    reasons: [
      { code: 'defastra_error', message: 'x' },
      { code: 'phone_risk', message: 'x' },
      { code: 'velocity', message: 'x' },
    ],
    email: {
      masked: 'a***@a-very-long-company-domain.example.co.uk',
      error: { type: 'TIMEOUT', message: 'x' },
    },
    phone: { masked: '+44********03', risk_level: 'high', risk_score: 34 },
    review: {
      outcome: 'reject',
      note: 'ring',
      reviewed_at: '2026-11-30T11:59:00.000Z',
      reviewed_by: 'local',
    },
  }),
  verdict({
    created_at: '2024-01-01T00:00:00.000Z',
    decision: 'block',
    source: 'cognito',
    email: null,
    phone: { masked: '+33*******02' },
  }),
  verdict({ decision: 'review', source: 'stripe', reasons: [{ code: 'email_risk', message: 'x' }] }),
  verdict({ email: null, phone: null, reasons: [{ code: 'no_identifiers', message: 'x' }] }),
];

describe('verdicts list', () => {
  it('fits 100 columns with the widest values, one row per verdict', () => {
    const lines = plain(verdictTable(WIDEST, NOW));
    expect(lines).toHaveLength(WIDEST.length + 1);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(100);
    // The old table (now --wide) did not.
    expect(Math.max(...plain(wideVerdictTable(WIDEST)).map((l) => l.length))).toBeGreaterThan(100);
  });

  it('shows the id, age, decision (degraded *), source, email else phone, first reason and more, review', () => {
    const [head, first, second, third, fourth] = plain(verdictTable(WIDEST, NOW));
    expect(head).toMatch(/^VERDICT\s+AGE\s+DECISION\s+SOURCE\s+EMAIL\/PHONE\s+REASONS\s+REVIEW$/);
    expect(first).toMatch(
      /^01M8N38GSN85240RDBPY01K1HA\s+2m\s+review\*\s+supabase\s+a\*\*\*@a-very-long-c…\s+defastra_error\+2\s+rejected$/,
    );
    expect(second).toMatch(/\s+2y\s+block\s+cognito\s+\+33\*{7}02\s+-\s+-$/);
    expect(third).toMatch(/\s+review\s+stripe\s+s\*\*\*@example\.com\s+email_risk\s+pending$/);
    expect(fourth).toMatch(/\s+allow\s+api\s+-\s+no_identifiers\s+-$/);
  });

  it('ages in at most 4 characters', () => {
    const ago = (ms: number) => shortAge(new Date(NOW - ms).toISOString(), NOW);
    expect([ago(5_000), ago(119_000), ago(3_600_000), ago(47 * 3_600_000), ago(3 * 86_400_000)]).toEqual([
      '5s',
      '119s',
      '60m',
      '47h',
      '3d',
    ]);
    expect([ago(400 * 86_400_000), ago(3 * 365 * 86_400_000)]).toEqual(['400d', '3y']);
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abcd', 4)).toBe('abcd');
  });
});
