/**
 * `DATA_DIR/dev-secrets.json` (docs/local.md): generated once with every hook secret in the form its sender shows
 * it, and upgraded in place when it predates some of them (the values it holds are kept).
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_SECRETS_FILE, loadDevSecrets } from '../../shared/config/dev-secrets.js';
import { HOOK_SECRET_SETTINGS, PROVIDER_HOOKS } from '../../shared/config/hook-secrets.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'signup-gate-dev-secrets-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const read = async (dir: string) =>
  JSON.parse(await readFile(join(dir, DEV_SECRETS_FILE), 'utf8')) as Record<string, string>;

describe('loadDevSecrets', () => {
  it('generates a secret for every provider hook, each in its sender form, the file private', async () => {
    const dir = join(root, 'fresh');
    const { secrets, created } = await loadDevSecrets(dir);
    expect(created).toBe(true);
    for (const hook of PROVIDER_HOOKS) {
      const key = HOOK_SECRET_SETTINGS[hook].devSecret as keyof typeof secrets;
      expect(secrets[key], key).toMatch(/^\S{16,}$/);
    }
    // Svix (Clerk) secrets are Standard Webhooks secrets: whsec_ and the base64 of 32 bytes.
    expect(secrets.clerk_webhook_secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secrets.paddle_webhook_secret).toMatch(/^pdl_ntfset_/);
    expect(new Set(Object.values(secrets)).size).toBe(Object.keys(secrets).length);
    expect((await stat(join(dir, DEV_SECRETS_FILE))).mode & 0o777).toBe(0o600);
    expect(await read(dir)).toEqual(secrets);
  });

  it('upgrades a file written before the provider hooks in place, keeping what it holds', async () => {
    const dir = join(root, 'older');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    const older = {
      api_token: 'sg_dev_older_token_0123456789',
      auth0_hook_secret: 'sg_auth0_older_0123456789',
      stripe_webhook_secret: 'whsec_older_0123456789',
      pepper: 'a'.repeat(64),
    };
    await writeFile(join(dir, DEV_SECRETS_FILE), JSON.stringify(older));
    const { secrets, created } = await loadDevSecrets(dir);
    expect(created).toBe(false);
    expect(secrets).toMatchObject(older);
    expect(secrets.supabase_hook_secret).toMatch(/^v1,whsec_/);
    expect(secrets.okta_hook_secret).toMatch(/^sg_okta_/);
    expect(await read(dir)).toEqual(secrets);
    // Loaded again: nothing new is generated.
    expect((await loadDevSecrets(dir)).secrets).toEqual(secrets);
  });

  it('keeps a provider secret already in the file and fills only the missing ones', async () => {
    const dir = join(root, 'partial');
    const first = (await loadDevSecrets(dir)).secrets;
    const { workos_actions_secret: _dropped, ...partial } = first;
    await writeFile(join(dir, DEV_SECRETS_FILE), JSON.stringify(partial));
    const { secrets } = await loadDevSecrets(dir);
    expect(secrets).toMatchObject(partial);
    expect(secrets.workos_actions_secret).toMatch(/^sg_workos_/);
    expect(secrets.workos_actions_secret).not.toBe(first.workos_actions_secret);
  });
});
