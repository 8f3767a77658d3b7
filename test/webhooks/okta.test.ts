/** `oktaVerifier`: the configured `Authorization` value, verbatim, against every active secret (constant time). */
import { describe, expect, it } from 'vitest';
import { OKTA_MAX_HEADER_LENGTH, oktaVerifier } from '../../shared/webhooks/okta.js';
import { expectQuietMessages, refused, signedRequest } from './support.js';

const OLD = 'okta-hook-secret-old-3f9a1c';
const NEW = 'okta-hook-secret-new-8b2e7d';
const BODY = '{"eventId":"04Dmt8BcT_aEgM"}';
const NOW = 1_764_133_200;
const verify = (headers: Record<string, string>, secrets: readonly string[] = [OLD]) =>
  oktaVerifier.verify(signedRequest(headers, BODY), secrets, NOW);

describe('oktaVerifier', () => {
  it('answers 401 unauthorized, as Okta expects of a refused hook call', () => {
    expect(oktaVerifier.failure).toEqual({ status: 401, code: 'unauthorized' });
    expect(oktaVerifier.name).toBe('okta');
  });

  it('accepts the exact configured value, whatever the header name case', () => {
    expect(verify({ Authorization: OLD })).toEqual({ ok: true });
    expect(verify({ authorization: OLD })).toEqual({ ok: true });
  });

  it('accepts either secret during a rotation, and only those', () => {
    expect(verify({ Authorization: OLD }, [OLD, NEW])).toEqual({ ok: true });
    expect(verify({ Authorization: NEW }, [OLD, NEW])).toEqual({ ok: true });
    expect(verify({ Authorization: NEW }, [OLD])).toEqual(refused('mismatch'));
  });

  it.each([
    ['a prefix of the secret', OLD.slice(0, -1)],
    ['the secret with one more character', `${OLD}x`],
    ['the secret in another case', OLD.toUpperCase()],
    ['the secret as a bearer token', `Bearer ${OLD}`],
    ['the secret as Basic credentials', `Basic ${Buffer.from(`okta:${OLD}`).toString('base64')}`],
  ])('refuses %s', (_case, value) => {
    expect(verify({ Authorization: value })).toEqual(refused('mismatch'));
  });

  it('refuses a missing or blank header as missing', () => {
    expect(verify({})).toEqual(refused('missing'));
    expect(verify({ Authorization: '' })).toEqual(refused('missing'));
    expect(verify({ Authorization: '   ' })).toEqual(refused('missing'));
  });

  it('refuses an oversized header before comparing anything', () => {
    const long = 'a'.repeat(OKTA_MAX_HEADER_LENGTH + 1);
    expect(verify({ Authorization: long }, [long])).toEqual(refused('malformed'));
    const longest = 'a'.repeat(OKTA_MAX_HEADER_LENGTH);
    expect(verify({ Authorization: longest }, [longest])).toEqual({ ok: true });
  });

  it('refuses everything when no usable secret is configured (never matches a blank secret)', () => {
    expect(verify({ Authorization: OLD }, [])).toEqual(refused('no_secrets'));
    expect(verify({ Authorization: ' ' }, ['', ' '])).toEqual(refused('missing'));
    expect(verify({ Authorization: OLD }, ['', '  '])).toEqual(refused('no_secrets'));
  });

  it('has a message for every reason that echoes no secret', () => {
    expectQuietMessages(oktaVerifier, [OLD, NEW]);
  });
});
