/** `kratosVerifier`: Kratos' `api_key` auth sends `Authorization: Bearer <secret>`. */
import { describe, expect, it } from 'vitest';
import { KRATOS_MAX_HEADER_LENGTH, kratosVerifier } from '../../shared/webhooks/kratos.js';
import { expectQuietMessages, refused, signedRequest } from './support.js';

const OLD = 'kratos-hook-secret-old-51d0';
const NEW = 'kratos-hook-secret-new-7c44';
const BODY = '{"flow_id":"9f4ab6a4-3c8e-4b0e-9d3e-1c2b7a6f5e40"}';
const NOW = 1_764_133_200;
const verify = (headers: Record<string, string>, secrets: readonly string[] = [OLD]) =>
  kratosVerifier.verify(signedRequest(headers, BODY), secrets, NOW);

describe('kratosVerifier', () => {
  it('answers 401 unauthorized', () => {
    expect(kratosVerifier.failure).toEqual({ status: 401, code: 'unauthorized' });
  });

  it.each([`Bearer ${OLD}`, `bearer ${OLD}`, `BEARER  ${OLD}`, ` Bearer ${OLD} `])('accepts %j', (value) => {
    expect(verify({ Authorization: value })).toEqual({ ok: true });
  });

  it('accepts either secret during a rotation', () => {
    expect(verify({ Authorization: `Bearer ${OLD}` }, [NEW, OLD])).toEqual({ ok: true });
    expect(verify({ Authorization: `Bearer ${NEW}` }, [NEW, OLD])).toEqual({ ok: true });
    expect(verify({ Authorization: `Bearer ${NEW}` }, [OLD])).toEqual(refused('mismatch'));
  });

  it.each([
    ['the bare secret', OLD],
    ['Basic credentials', `Basic ${Buffer.from(`kratos:${OLD}`).toString('base64')}`],
    ['a token with a space in it', `Bearer ${OLD} extra`],
    ['the scheme alone', 'Bearer'],
    ['the scheme glued to the token', `Bearer${OLD}`],
  ])('refuses %s as malformed', (_case, value) => {
    expect(verify({ Authorization: value })).toEqual(refused('malformed'));
  });

  it('refuses a wrong token as a mismatch', () => {
    expect(verify({ Authorization: `Bearer ${OLD.slice(0, -1)}` })).toEqual(refused('mismatch'));
    expect(verify({ Authorization: `Bearer ${OLD}0` })).toEqual(refused('mismatch'));
  });

  it('refuses a missing or blank header, an oversized one, and anything without a secret', () => {
    expect(verify({})).toEqual(refused('missing'));
    expect(verify({ Authorization: '' })).toEqual(refused('missing'));
    const long = 'a'.repeat(KRATOS_MAX_HEADER_LENGTH);
    expect(verify({ Authorization: `Bearer ${long}` }, [long])).toEqual(refused('malformed'));
    expect(verify({ Authorization: `Bearer ${OLD}` }, [])).toEqual(refused('no_secrets'));
    expect(verify({ Authorization: `Bearer ${OLD}` }, [''])).toEqual(refused('no_secrets'));
  });

  it('has a message for every reason that echoes no secret', () => {
    expectQuietMessages(kratosVerifier, [OLD, NEW]);
  });
});
