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
  /** Added later (this and the provider hooks' below): a file written before they existed gets them on the next start. */
  supabase_hook_secret: z.optional(z.string().check(z.minLength(16))),
  okta_hook_secret: z.optional(z.string().check(z.minLength(16))),
  kratos_hook_secret: z.optional(z.string().check(z.minLength(16))),
  paddle_webhook_secret: z.optional(z.string().check(z.minLength(16))),
  clerk_webhook_secret: z.optional(z.string().check(z.minLength(16))),
  firebase_hook_secret: z.optional(z.string().check(z.minLength(16))),
  workos_actions_secret: z.optional(z.string().check(z.minLength(16))),
  pepper: z.string().check(z.minLength(32)),
});
export type DevSecrets = Required<z.infer<typeof devSecretsSchema>>;

const token = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;
/** A Standard Webhooks secret as Supabase shows it: `v1,whsec_` and 32 random bytes in base64. */
const standardWebhooksSecret = () => `v1,whsec_${randomBytes(32).toString('base64')}`;

type LaterSecret = Exclude<
  keyof DevSecrets,
  'api_token' | 'auth0_hook_secret' | 'stripe_webhook_secret' | 'pepper'
>;

/** How each secret added after the first version is made, in the form its sender shows it. */
const LATER_SECRETS: Record<LaterSecret, () => string> = {
  supabase_hook_secret: standardWebhooksSecret,
  okta_hook_secret: () => token('sg_okta_'),
  kratos_hook_secret: () => token('sg_kratos_'),
  paddle_webhook_secret: () => token('pdl_ntfset_'),
  // Svix (Clerk) shows its secrets without Supabase's `v1,`.
  clerk_webhook_secret: () => `whsec_${randomBytes(32).toString('base64')}`,
  firebase_hook_secret: () => token('sg_firebase_'),
  workos_actions_secret: () => token('sg_workos_'),
};
const LATER_KEYS = Object.keys(LATER_SECRETS) as LaterSecret[];

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
    // Upgraded in place: the values it holds are kept, the missing ones generated.
    const missing = LATER_KEYS.filter((key) => parsed.data[key] === undefined);
    const secrets = {
      ...parsed.data,
      ...Object.fromEntries(missing.map((key) => [key, LATER_SECRETS[key]()])),
    } as DevSecrets;
    if (missing.length > 0) await writeSecrets(dataDir, path, secrets);
    return { secrets, path, created: false };
  }
  const secrets = {
    api_token: token('sg_dev_'),
    auth0_hook_secret: token('sg_auth0_'),
    stripe_webhook_secret: token('whsec_'),
    ...Object.fromEntries(LATER_KEYS.map((key) => [key, LATER_SECRETS[key]()])),
    pepper: randomBytes(32).toString('hex'),
  } as DevSecrets;
  await writeSecrets(dataDir, path, secrets);
  return { secrets, path, created: true };
};
