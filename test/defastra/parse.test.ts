/** Wire-to-CheckResult parsing: seed-shaped fixtures, legacy signals, wallet placement, bad responses. */
import { describe, expect, it } from 'vitest';
import {
  DefastraBadResponseError,
  DefastraRateLimitError,
  DefastraSystemError,
} from '../../shared/defastra/errors.js';
import { normaliseChecks, parseDefastraResponse, readWallet } from '../../shared/defastra/parse.js';
import { fixture } from './helpers.js';

const body = (value: unknown): string => JSON.stringify(value);

describe('parseDefastraResponse on the seed shape', () => {
  it('reads an email low answer: level, score, request id, wallet, checks in order, data', () => {
    const result = parseDefastraResponse('email', 200, fixture('email-low.json'));
    expect(result).toMatchObject({
      kind: 'email',
      riskLevel: 'low',
      riskScore: 0,
      requestId: 'A1B2C3D4E5F60718293A4B5C6D7E8F90',
      wallet: 120.55,
    });
    expect(result.checks.map((c) => c.code)).toEqual([
      'EMAIL_DISPOSABLE',
      'EMAIL_DELIVERABILITY',
      'EMAIL_ALIAS',
      'EMAIL_MAIN_PROVIDER',
      'EMAIL_DATA_BREACH',
    ]);
    expect(result.checks[2]).toEqual({
      code: 'EMAIL_ALIAS',
      result_type: 'neutral',
      detail: 'Plain address, no alias trick',
    });
    expect(result.data).toHaveProperty('email_domain.domain', 'outlook.com');
  });

  it('reads a disposable email answer, a wallet given as a string, and ignores unknown keys', () => {
    const result = parseDefastraResponse('email', 200, fixture('email-high-disposable.json'));
    expect(result.riskLevel).toBe('high');
    expect(result.riskScore).toBe(36);
    expect(result.wallet).toBe(120.5);
    expect(result.checks.find((c) => c.code === 'EMAIL_DISPOSABLE')?.result_type).toBe('risk');
    expect(result.data).toHaveProperty('future_block');
  });

  it('reads a phone low answer with its HLR data', () => {
    const result = parseDefastraResponse('phone', 200, fixture('phone-low.json'));
    expect(result).toMatchObject({ kind: 'phone', riskLevel: 'low', riskScore: 0, wallet: 87.1 });
    expect(result.data).toHaveProperty('phone_hlr.carrier', 'Vodafone');
    expect(result.checks).toHaveLength(3);
  });

  it('reads the wallet from my_account when the top level has none', () => {
    const result = parseDefastraResponse('phone', 200, fixture('phone-extreme.json'));
    expect(result).toMatchObject({ riskLevel: 'extreme', riskScore: 93, wallet: 42.25 });
    expect(result.checks.filter((c) => c.result_type === 'risk')).toHaveLength(4);
  });

  it('leaves wallet absent for team members', () => {
    const parsed = JSON.parse(fixture('phone-low.json')) as Record<string, unknown>;
    delete parsed.wallet;
    const result = parseDefastraResponse('phone', 200, body(parsed));
    expect(result).not.toHaveProperty('wallet');
  });

  it('defaults data to {} and request id to "" when missing', () => {
    const result = parseDefastraResponse(
      'email',
      200,
      body({ status: true, deep_email_check: { risk_level: 'medium', risk_score: 5, checks: {} } }),
    );
    expect(result.data).toEqual({});
    expect(result.requestId).toBe('');
    expect(result.checks).toEqual([]);
  });
});

describe('parseDefastraResponse on the legacy signals shape', () => {
  it('normalises a signals array; request id and wallet come from inside the product', () => {
    const result = parseDefastraResponse('email', 200, fixture('legacy-signals-array.json'));
    expect(result.requestId).toBe('legacy-email-request-1');
    expect(result.wallet).toBe(12.5);
    expect(result.checks).toEqual([
      { code: 'EMAIL_ALIAS', result_type: 'risk', detail: 'Plus alias used' },
      { code: 'EMAIL_DELIVERABILITY', result_type: 'trust', detail: 'Accepts mail' },
      { code: 'EMAIL_FUTURE_CHECK', result_type: 'neutral', detail: 'Not decided' },
    ]);
    expect(result.data).toEqual({});
  });

  it('normalises a signals object keyed by code', () => {
    const result = parseDefastraResponse('phone', 200, fixture('legacy-signals-object.json'));
    expect(result.requestId).toBe('legacy-phone-request-2');
    expect(result.wallet).toBeUndefined();
    expect(result.checks).toEqual([
      { code: 'PHONE_TYPE', result_type: 'risk', detail: 'VOIP line' },
      { code: 'PHONE_OS', result_type: 'risk', detail: 'No device' },
      { code: 'PHONE_DATA_BREACH', result_type: 'trust', detail: '' },
    ]);
  });

  it('prefers checks over signals when both are present', () => {
    const checks = normaliseChecks({
      checks: { EMAIL_ALIAS: { result_type: 'trust', detail: 'a' } },
      signals: [{ code: 'EMAIL_DISPOSABLE', type: 'risk', message: 'b' }],
    });
    expect(checks.map((c) => c.code)).toEqual(['EMAIL_ALIAS']);
  });
});

describe('readWallet', () => {
  it.each([
    [{ wallet: 3 }, {}, 3],
    [{ wallet: '4.5' }, {}, 4.5],
    [{ my_account: { wallet: 6 } }, {}, 6],
    [{}, { wallet: 7 }, 7],
    [{ wallet: 'lots' }, {}, undefined],
    [{ wallet: null, my_account: null }, {}, undefined],
  ])('%j / %j → %s', (top, product, expected) => {
    expect(readWallet(top, product)).toBe(expected);
  });
});

describe('parseDefastraResponse failures', () => {
  it('throws the typed API error of a status:false body, whatever the HTTP status', () => {
    const error = (): unknown =>
      parseDefastraResponse(
        'email',
        429,
        body({ status: false, error_type: 'RATE_LIMITED_1_MINUTE', error_message: 'slow down' }),
      );
    expect(error).toThrow(DefastraRateLimitError);
    try {
      error();
    } catch (caught) {
      expect(caught).toMatchObject({ type: 'RATE_LIMITED_1_MINUTE', message: 'slow down', httpStatus: 429 });
    }
  });

  it('maps an error body even on HTTP 200', () => {
    expect(() =>
      parseDefastraResponse(
        'phone',
        200,
        body({ status: false, error_type: 'SYSTEM_ERROR', error_message: 'x' }),
      ),
    ).toThrow(DefastraSystemError);
  });

  it.each([
    ['HTML from a proxy', 502, '<html><body>Bad Gateway</body></html>'],
    ['truncated JSON', 200, '{"status": true, "deep_email'],
    ['JSON without status', 200, body({ ok: true })],
    ['status false without error_type', 400, body({ status: false })],
    ['success without product', 200, body({ status: true, deep_phone_check: {} })],
    [
      'unknown risk level',
      200,
      body({ status: true, deep_email_check: { risk_level: 'severe', risk_score: 50 } }),
    ],
    [
      'non-numeric score',
      200,
      body({ status: true, deep_email_check: { risk_level: 'low', risk_score: 'zero' } }),
    ],
    ['product of the other endpoint', 200, fixture('phone-low.json')],
  ])('%s → DefastraBadResponseError', (_name, status, text) => {
    expect(() => parseDefastraResponse('email', status, text)).toThrow(DefastraBadResponseError);
  });
});
