/** The local server's settings of the provider APIs enforcement calls (docs/local.md, docs/enforcement.md). */
import { describe, expect, it } from 'vitest';
import { loadLocalConfig } from '../../shared/config/local.js';

describe('the local settings of the provider APIs (docs/local.md)', () => {
  it('reads each provider only when all of its variables are set, and names the missing one', () => {
    expect(loadLocalConfig({}).enforcement).toEqual({
      auth0: undefined,
      supabase: undefined,
      cognitoEndpoint: undefined,
      clerk: undefined,
    });
    const config = loadLocalConfig({
      AUTH0_DOMAIN: 'tenant.eu.auth0.com',
      AUTH0_CLIENT_ID: 'id',
      AUTH0_CLIENT_SECRET: 'secret',
      SUPABASE_URL: 'http://127.0.0.1:54321',
      SUPABASE_SERVICE_ROLE_KEY: 'key',
      COGNITO_ENDPOINT: 'http://127.0.0.1:9229',
      CLERK_SECRET_KEY: 'sk_test_1',
    }).enforcement;
    expect(config).toEqual({
      auth0: { domain: 'tenant.eu.auth0.com', clientId: 'id', clientSecret: 'secret' },
      supabase: { url: 'http://127.0.0.1:54321', serviceRoleKey: 'key' },
      cognitoEndpoint: 'http://127.0.0.1:9229',
      clerk: { secretKey: 'sk_test_1', baseUrl: undefined },
    });
    expect(() => loadLocalConfig({ AUTH0_DOMAIN: 'tenant.eu.auth0.com', AUTH0_CLIENT_ID: 'id' })).toThrow(
      'invalid environment: AUTH0_CLIENT_SECRET is not set, but AUTH0_DOMAIN, AUTH0_CLIENT_ID is: set them together',
    );
    expect(() => loadLocalConfig({ SUPABASE_SERVICE_ROLE_KEY: 'key' })).toThrow(/SUPABASE_URL is not set/);
    expect(() => loadLocalConfig({ AUTH0_DOMAIN: 'https://x y' })).toThrow(/AUTH0_DOMAIN/);
  });
});
