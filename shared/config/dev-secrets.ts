/** Development secrets (API token, hook secrets, hashing pepper): generated once, kept in DATA_DIR across restarts. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from '../validation/zod.js';

export const DEV_SECRETS_FILE = 'dev-secrets.json';

const devSecretsSchema = z.object({
  api_token: z.string().check(z.minLength(16)),
  auth0_hook_secret: z.string().check(z.minLength(16)),
  stripe_webhook_secret: z.string().check(z.minLength(16)),
  /** Added later: a file written before it existed gets one on the next start. */
  supabase_hook_secret: z.optional(z.string().check(z.minLength(16))),
  pepper: z.string().check(z.minLength(32)),
});
export type DevSecrets = Required<z.infer<typeof devSecretsSchema>>;

const token = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;
/** A Standard Webhooks secret as Supabase shows it: `v1,whsec_` and 32 random bytes in base64. */
const standardWebhooksSecret = () => `v1,whsec_${randomBytes(32).toString('base64')}`;

const writeSecrets = async (dataDir: string, path: string, secrets: DevSecrets): Promise<void> => {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
};

/** Loads `DATA_DIR/dev-secrets.json`, creating it (mode 0600) on first start. Returns the secrets and the path. */
export const loadDevSecrets = async (
  dataDir: string,
): Promise<{ secrets: DevSecrets; path: string; created: boolean }> => {
  const path = join(dataDir, DEV_SECRETS_FILE);
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) {
    let parsed: ReturnType<typeof devSecretsSchema.safeParse> | undefined;
    try {
      parsed = devSecretsSchema.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success)
      throw new Error(`${path} is damaged: delete it to generate new development secrets`);
    const { supabase_hook_secret, ...rest } = parsed.data;
    if (supabase_hook_secret !== undefined)
      return { secrets: { ...rest, supabase_hook_secret }, path, created: false };
    const upgraded: DevSecrets = { ...rest, supabase_hook_secret: standardWebhooksSecret() };
    await writeSecrets(dataDir, path, upgraded);
    return { secrets: upgraded, path, created: false };
  }
  const secrets: DevSecrets = {
    api_token: token('sg_dev_'),
    auth0_hook_secret: token('sg_auth0_'),
    stripe_webhook_secret: token('whsec_'),
    supabase_hook_secret: standardWebhooksSecret(),
    pepper: randomBytes(32).toString('hex'),
  };
  await writeSecrets(dataDir, path, secrets);
  return { secrets, path, created: true };
};
