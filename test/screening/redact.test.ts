/** Redaction of text Defastra writes (docs/verdict.md): emails and phones in any common format, caps, and linear time. */
import { describe, expect, it } from 'vitest';
import { redactChecks, redactErrorMessage, redactPii } from '../../shared/screening/redact.js';

describe('redactPii', () => {
  it.each([
    ['Contact John.Doe@Example.com now', 'Contact j***@example.com now'],
    ['tel 06 12 34 56 78.', 'tel ********78.'],
    ['tel +33 6 12 34 56 78', 'tel *********78'],
    ['06.12.34.56.78', '********78'],
    ['(415) 555-0132', '********32'],
    ['0033612345678', '***********78'],
    ['+442079460958', '**********58'],
  ])('%j → %j', (text, redacted) => {
    expect(redactPii(text)).toBe(redacted);
  });

  it.each([
    'First seen 2019-04-12, score 38',
    'risk_score 72 (high)',
    'request 9C41D0E2B6A84F7391E5D2C8A0B7F6E4',
    'breaches: 3 since 2015',
    'call 112',
  ])('leaves %j alone', (text) => {
    expect(redactPii(text)).toBe(text);
  });

  it('stays linear on long hostile text (no catastrophic backtracking)', () => {
    for (const text of ['y'.repeat(450 * 1024), '1 '.repeat(200 * 1024), `${'a'.repeat(60)}@`.repeat(5000)]) {
      const started = performance.now();
      redactPii(text);
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });
});

describe('caps', () => {
  it('cuts details to 500 characters, codes to 64, and keeps at most 64 checks', () => {
    const checks = Array.from({ length: 80 }, (_, i) => ({
      code: `CODE_${'X'.repeat(100)}_${i}`,
      result_type: 'risk' as const,
      detail: 'd'.repeat(10_000),
    }));
    const out = redactChecks(checks, []);
    expect(out).toHaveLength(64);
    expect(out.every((c) => c.detail.length <= 500 && c.code.length <= 64)).toBe(true);
  });

  it('cuts an error message to 200 characters after masking the screened value', () => {
    const message = redactErrorMessage(`bad value Jane@Corp.example ${'z'.repeat(500)}`, [
      { raw: 'Jane@Corp.example', masked: 'j***@corp.example' },
    ]);
    expect(message.length).toBeLessThanOrEqual(200);
    expect(message.startsWith('bad value j***@corp.example')).toBe(true);
  });
});
