/** The policy file: rejection naming the exact field, defaults, merging over defaults and per-source overrides. */
import { describe, expect, it } from 'vitest';
import { SOURCES } from '../../shared/core/levels.js';
import { resolveForSource } from '../../shared/policy/decide.js';
import {
  DEFAULT_POLICY,
  type Policy,
  PolicyError,
  parsePolicy,
  parsePolicyJson,
  resolvePolicy,
} from '../../shared/policy/schema.js';

const errorOf = (run: () => unknown): PolicyError => {
  try {
    run();
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected a PolicyError, nothing was thrown');
};

describe('invalid policy files name the field', () => {
  it.each([
    // unknown level
    ['unknown level', { thresholds: { email: { block: 'huge' } } }, 'thresholds.email.block'],
    [
      'unknown level in a source',
      { sources: { api: { thresholds: { phone: { review: 'HIGH' } } } } },
      'sources.api.thresholds.phone.review',
    ],
    ['unknown decision', { on_error: { auth0: 'deny' } }, 'on_error.auth0'],
    [
      'unknown decision in a source',
      { sources: { stripe: { on_error: { stripe: 'deny' } } } },
      'sources.stripe.on_error.stripe',
    ],
    ['unknown timeout mode', { defastra_timeout: { api: 'fast' } }, 'defastra_timeout.api'],
    // wrong type
    ['string for a number', { cache_hours: '24' }, 'cache_hours'],
    ['number for a level', { thresholds: { phone: { block: 3 } } }, 'thresholds.phone.block'],
    ['object for a string', { version: { v: 1 } }, 'version'],
    ['string for a list', { allow: { emails: 'a@example.com' } }, 'allow.emails'],
    ['number in a list', { allow: { emails: [5] } }, 'allow.emails.0'],
    ['empty string in a list', { block: { email_domains: ['ok.com', ''] } }, 'block.email_domains.1'],
    ['not an email in a list', { allow: { emails: ['a@example.com', 'not-an-email'] } }, 'allow.emails.1'],
    ['not a domain in a list', { block: { email_domains: ['bad domain.com'] } }, 'block.email_domains.0'],
    ['fractional budget', { budget_ms: { stripe: 10.5 } }, 'budget_ms.stripe'],
    [
      'budget in a source',
      { sources: { auth0: { budget_ms: { auth0: 'soon' } } } },
      'sources.auth0.budget_ms.auth0',
    ],
    ['boolean as string', { stripe: { write_back: 'yes' } }, 'stripe.write_back'],
    ['four-digit country code', { default_country_code: '1234' }, 'default_country_code'],
    ['null object', { thresholds: null }, 'thresholds'],
    ['array for sources', { sources: [] }, 'sources'],
    // unknown key
    ['unknown top-level key', { thresholds: {}, treshold: 1 }, 'treshold'],
    ['unknown nested key', { thresholds: { email: { blok: 'high' } } }, 'thresholds.email.blok'],
    ['unknown identifier', { thresholds: { ip: { block: 'high' } } }, 'thresholds.ip'],
    ['unknown source', { sources: { paypal: {} } }, 'sources.paypal'],
    ['unknown key inside a source', { sources: { stripe: { foo: 1 } } }, 'sources.stripe.foo'],
    ['version inside a source', { sources: { stripe: { version: 'x' } } }, 'sources.stripe.version'],
    ['sources inside a source', { sources: { api: { sources: {} } } }, 'sources.api.sources'],
    [
      'unknown nested key inside a source',
      { sources: { stripe: { thresholds: { email: { blok: 'high' } } } } },
      'sources.stripe.thresholds.email.blok',
    ],
    ['unknown list', { allow: { ips: [] } }, 'allow.ips'],
    ['prototype key', JSON.parse('{"__proto__": {"cache_hours": 1}}'), '__proto__'],
    // velocity, spend, events (docs/policy.md, docs/waves.md, docs/events.md)
    ['fractional velocity threshold', { velocity: { ip: { block: 2.5 } } }, 'velocity.ip.block'],
    ['zero velocity threshold', { velocity: { mailbox: { review: 0 } } }, 'velocity.mailbox.review'],
    [
      'string velocity threshold',
      { velocity: { email_domain: { block: '5' } } },
      'velocity.email_domain.block',
    ],
    ['unknown velocity key', { velocity: { phone: { block: 5 } } }, 'velocity.phone'],
    [
      'velocity threshold over 1,000',
      { velocity: { email_domain: { block: 1_001 } } },
      'velocity.email_domain.block',
    ],
    ['window of zero minutes', { velocity: { window_minutes: 0 } }, 'velocity.window_minutes'],
    ['review above block after merging', { velocity: { ip: { review: 50 } } }, 'velocity.ip.review'],
    [
      'review above block in a source',
      { sources: { stripe: { velocity: { mailbox: { review: 11, block: 10 } } } } },
      'sources.stripe.velocity.mailbox.review',
    ],
    [
      'negative spend cap',
      { spend: { max_defastra_calls_per_hour: -1 } },
      'spend.max_defastra_calls_per_hour',
    ],
    ['unknown on_exhausted', { spend: { on_exhausted: 'deny' } }, 'spend.on_exhausted'],
    ['spend inside a source', { sources: { api: { spend: {} } } }, 'sources.api.spend'],
    ['unknown decision to publish', { events: { publish: ['allow', 'maybe'] } }, 'events.publish.1'],
    ['a decision published twice', { events: { publish: ['block', 'block'] } }, 'events.publish'],
    ['on_error for cognito', { on_error: { cognito: 'deny' } }, 'on_error.cognito'],
    // enforcement (docs/enforcement.md)
    ['enforce as a string', { enforce: { auth0: 'yes' } }, 'enforce.auth0'],
    ['enforce for an unknown source', { enforce: { paypal: true } }, 'enforce.paypal'],
    ['enforce for a source with no adapter', { enforce: { api: true } }, 'enforce.api'],
    [
      'enforce inside a source',
      { sources: { auth0: { enforce: { auth0: true } } } },
      'sources.auth0.enforce',
    ],
  ])('%s → %s', (_name, file, field) => {
    const error = errorOf(() => parsePolicy(file));
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it('says "unknown key" for an unknown key', () => {
    expect(errorOf(() => parsePolicy({ thresholds: { email: { blok: 'high' } } })).message).toBe(
      'invalid policy: thresholds.email.blok: unknown key',
    );
  });

  it('rejects bad JSON, a non-object and null at the root', () => {
    const bad = errorOf(() => parsePolicyJson('{"thresholds": '));
    expect(bad.field).toBe('');
    expect(bad.message).toMatch(/not valid JSON/);
    for (const text of ['null', '[]', '"policy"', '42']) {
      expect(errorOf(() => parsePolicyJson(text)).field).toBe('');
    }
  });

  it('names the field through parsePolicyJson too', () => {
    expect(errorOf(() => parsePolicyJson('{"sources":{"stripe":{"on_error":{"stripe":1}}}}')).field).toBe(
      'sources.stripe.on_error.stripe',
    );
  });

  describe('list phones must be valid for every source they apply to', () => {
    it('rejects a national phone when there is no default_country_code', () => {
      const error = errorOf(() =>
        parsePolicy({ allow: { phones: ['+33 6 12 34 56 78', '06 12 34 56 78'] } }),
      );
      expect(error.field).toBe('allow.phones.1');
      expect(error.message).toContain('default_country_code');
    });

    it('accepts it with a default_country_code', () => {
      const policy = parsePolicy({ default_country_code: '33', allow: { phones: ['06 12 34 56 78'] } });
      expect(policy.base.allow.phones).toEqual(['06 12 34 56 78']);
    });

    it('names the source whose default_country_code leaves it invalid', () => {
      const error = errorOf(() =>
        parsePolicy({
          default_country_code: '33',
          block: { phones: ['06 12 34 56 78'] },
          sources: { api: { default_country_code: null } },
        }),
      );
      expect(error.field).toBe('block.phones.0');
      expect(error.message).toContain('api');
    });

    it('names the override when the bad phone is in sources.<source>', () => {
      const error = errorOf(() => parsePolicy({ sources: { stripe: { block: { phones: ['0612'] } } } }));
      expect(error.field).toBe('sources.stripe.block.phones.0');
    });

    it('does not echo the phone in the message', () => {
      const error = errorOf(() => parsePolicy({ allow: { phones: ['0699887766'] } }));
      expect(error.message).not.toContain('0699887766');
    });
  });
});

describe('defaults', () => {
  it.each([
    ['{}', () => parsePolicy({})],
    ['no file', () => parsePolicy(undefined)],
    ['"{}" as JSON', () => parsePolicyJson('{}')],
    ['JSON with a byte order mark', () => parsePolicyJson('\uFEFF{ }')],
    ['empty sources', () => parsePolicy({ sources: {} })],
  ])('%s gives the docs/policy.md defaults for every source', (_name, make) => {
    const policy: Policy = make();
    for (const source of SOURCES) {
      const resolved = resolveForSource(policy, source);
      expect(resolved).toEqual(DEFAULT_POLICY);
      expect(resolved.version).toBe('default-1');
      expect(resolved.thresholds).toEqual({
        email: { review: 'medium', block: 'high' },
        phone: { review: 'medium', block: 'high' },
      });
      expect(resolved.on_error).toEqual({
        auth0: 'allow',
        stripe: 'review',
        api: 'review',
        cognito: 'allow',
        supabase: 'allow',
        okta: 'allow',
        kratos: 'allow',
        paddle: 'review',
        clerk: 'review',
        firebase: 'allow',
        workos: 'allow',
      });
      expect(resolved.budget_ms).toEqual({
        auth0: 8000,
        stripe: 5000,
        api: 15000,
        cognito: 4000,
        supabase: 4000,
        okta: 2500,
        kratos: 4000,
        paddle: 5000,
        clerk: 10000,
        firebase: 5000,
        workos: 4000,
      });
      expect(resolved.defastra_timeout).toEqual({
        auth0: 'minimal',
        stripe: 'normal',
        api: 'normal',
        cognito: 'minimal',
        supabase: 'minimal',
        okta: 'minimal',
        kratos: 'minimal',
        paddle: 'normal',
        clerk: 'normal',
        firebase: 'minimal',
        workos: 'minimal',
      });
      expect(resolved.velocity).toEqual({
        window_minutes: 60,
        ip: { review: 10, block: 30 },
        mailbox: { review: 3, block: 10 },
        email_domain: { review: null, block: null },
      });
      expect(resolved.spend).toEqual({ max_defastra_calls_per_hour: null, on_exhausted: 'review' });
      expect(resolved.events).toEqual({ publish: ['review', 'block'] });
      expect(Object.values(resolved.enforce)).toEqual(SOURCES.map(() => false));
      expect(resolved.default_country_code).toBeNull();
    }
  });

  it('keeps DEFAULT_POLICY frozen all the way down and untouched by parsing', () => {
    const before = structuredClone(DEFAULT_POLICY);
    parsePolicy({ thresholds: { email: { block: 'extreme' } }, allow: { emails: ['a@example.com'] } });
    expect(DEFAULT_POLICY).toEqual(before);
    expect(Object.isFrozen(DEFAULT_POLICY.thresholds.email)).toBe(true);
    expect(Object.isFrozen(DEFAULT_POLICY.allow.emails)).toBe(true);
    expect(() => {
      (DEFAULT_POLICY.thresholds.email as { block: string | null }).block = 'low';
    }).toThrow(TypeError);
  });

  it("freezes a parsed policy (caches are keyed by it) without freezing the caller's document", () => {
    const file = {
      allow: { emails: ['a@example.com'] },
      sources: { stripe: { thresholds: { email: { block: null } } } },
    };
    const policy = parsePolicy(file);
    expect(Object.isFrozen(policy.base.allow.emails)).toBe(true);
    expect(Object.isFrozen(policy.sources.stripe!.thresholds!.email)).toBe(true);
    expect(Object.isFrozen(file.allow.emails)).toBe(false);
    expect(Object.isFrozen(file.sources.stripe.thresholds.email)).toBe(false);
  });
});

describe('the sources of the newer providers', () => {
  const NEWER = ['okta', 'kratos', 'paddle', 'clerk', 'firebase', 'workos'] as const;

  it.each(NEWER)(
    '%s takes its own on_error, defastra_timeout and budget_ms, touching no other source',
    (source) => {
      const policy = parsePolicy({
        on_error: { [source]: 'block' },
        defastra_timeout: { [source]: 'extensive' },
        budget_ms: { [source]: 1234 },
      });
      const resolved = resolveForSource(policy, source);
      expect(resolved.on_error[source]).toBe('block');
      expect(resolved.defastra_timeout[source]).toBe('extensive');
      expect(resolved.budget_ms[source]).toBe(1234);
      for (const other of SOURCES.filter((s) => s !== source)) {
        expect(resolved.on_error[other]).toBe(DEFAULT_POLICY.on_error[other]);
        expect(resolved.budget_ms[other]).toBe(DEFAULT_POLICY.budget_ms[other]);
      }
    },
  );

  it.each(NEWER)('%s has a sources override that applies to it alone', (source) => {
    const policy = parsePolicy({ sources: { [source]: { thresholds: { email: { block: 'extreme' } } } } });
    expect(resolveForSource(policy, source).thresholds.email.block).toBe('extreme');
    expect(resolveForSource(policy, 'auth0').thresholds.email.block).toBe('high');
  });

  it('still refuses a source nobody serves, naming it', () => {
    expect(() => parsePolicy({ budget_ms: { auth1: 100 } })).toThrow('budget_ms.auth1: unknown key');
    expect(() => parsePolicy({ sources: { okta2: {} } })).toThrow('sources.okta2: unknown key');
  });
});

describe('merging', () => {
  it('a file overriding one threshold keeps every other default', () => {
    const policy = parsePolicy({ thresholds: { email: { block: 'extreme' } } });
    for (const source of SOURCES) {
      const resolved = resolveForSource(policy, source);
      expect(resolved.thresholds).toEqual({
        email: { review: 'medium', block: 'extreme' },
        phone: { review: 'medium', block: 'high' },
      });
      expect({ ...resolved, thresholds: DEFAULT_POLICY.thresholds }).toEqual(DEFAULT_POLICY);
    }
  });

  it('a null threshold replaces the default', () => {
    const resolved = resolveForSource(parsePolicy({ thresholds: { phone: { review: null } } }), 'api');
    expect(resolved.thresholds.phone).toEqual({ review: null, block: 'high' });
  });

  it('per-source maps merge key by key', () => {
    const resolved = resolveForSource(parsePolicy({ on_error: { stripe: 'block' } }), 'auth0');
    expect(resolved.on_error).toEqual({ ...DEFAULT_POLICY.on_error, stripe: 'block' });
    expect(resolved.budget_ms).toEqual(DEFAULT_POLICY.budget_ms);
  });

  it('a list in the file replaces that list only', () => {
    const resolved = resolveForSource(parsePolicy({ block: { emails: ['a@example.com'] } }), 'api');
    expect(resolved.block).toEqual({ emails: ['a@example.com'], email_domains: [], phones: [] });
    expect(resolved.allow).toEqual(DEFAULT_POLICY.allow);
  });

  it('sources.<source> overrides only the keys it names, for that source only', () => {
    const policy = parsePolicy({
      version: 'v7',
      thresholds: { email: { review: 'low' } },
      sources: {
        stripe: {
          thresholds: { phone: { block: null } },
          on_error: { stripe: 'block' },
          block: { email_domains: ['bad.com'] },
        },
      },
    });
    const stripe = resolveForSource(policy, 'stripe');
    expect(stripe.thresholds).toEqual({
      email: { review: 'low', block: 'high' },
      phone: { review: 'medium', block: null },
    });
    expect(stripe.on_error).toEqual({ ...DEFAULT_POLICY.on_error, stripe: 'block' });
    expect(stripe.block).toEqual({ emails: [], email_domains: ['bad.com'], phones: [] });
    expect(stripe.version).toBe('v7');

    for (const source of ['auth0', 'api'] as const) {
      const other = resolveForSource(policy, source);
      expect(other.thresholds).toEqual({
        email: { review: 'low', block: 'high' },
        phone: { review: 'medium', block: 'high' },
      });
      expect(other.on_error).toEqual(DEFAULT_POLICY.on_error);
      expect(other.block).toEqual(DEFAULT_POLICY.block);
    }
  });

  it('an override does not leak into the base or other sources', () => {
    const policy = parsePolicy({ sources: { auth0: { default_country_code: '+33', cache_hours: 0 } } });
    expect(resolveForSource(policy, 'auth0')).toMatchObject({ default_country_code: '+33', cache_hours: 0 });
    expect(policy.base).toMatchObject({ default_country_code: null, cache_hours: 24 });
    expect(resolveForSource(policy, 'stripe')).toMatchObject({ default_country_code: null, cache_hours: 24 });
  });

  it('resolveForSource memoises per policy and source', () => {
    const policy = parsePolicy({ sources: { api: { cache_hours: 2 } } });
    const api = resolveForSource(policy, 'api');
    expect(resolveForSource(policy, 'api')).toBe(api);
    expect(resolveForSource(policy, 'stripe')).not.toBe(api);
    expect(resolveForSource(parsePolicy({ sources: { api: { cache_hours: 2 } } }), 'api')).not.toBe(api);
    expect(resolveForSource(policy, 'api')).toEqual(resolvePolicy(policy, 'api'));
  });
});

describe('enforce (docs/enforcement.md)', () => {
  it('is off for every source by default, and on only where the file turns it on', () => {
    const policy = parsePolicy({ enforce: { auth0: true, clerk: true, api: false } });
    for (const source of SOURCES) {
      expect(resolveForSource(policy, source).enforce).toEqual({
        ...DEFAULT_POLICY.enforce,
        auth0: true,
        clerk: true,
      });
    }
    expect(errorOf(() => parsePolicy({ enforce: { okta: true } })).message).toBe(
      'invalid policy: enforce.okta: signup-gate cannot act on okta accounts (enforcement exists for auth0, supabase, cognito, stripe, clerk)',
    );
  });
});
