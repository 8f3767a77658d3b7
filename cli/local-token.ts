/** The bearer token of a local server: `API_TOKEN` (first of a comma list), else `DATA_DIR/dev-secrets.json`. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError } from './errors.js';

/** Same file name as the server's `DEV_SECRETS_FILE`; the CLI reads only its `api_token`. */
const DEV_SECRETS_FILE = 'dev-secrets.json';

export const readLocalToken = async (env: NodeJS.ProcessEnv): Promise<string> => {
  const fromEnv = env.API_TOKEN?.split(',')[0]?.trim();
  if (fromEnv) return fromEnv;
  const path = resolve(env.DATA_DIR || '.data', DEV_SECRETS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CliError(
      `no API token: API_TOKEN is not set and ${path} cannot be read (${code}); ` +
        'run from the project directory, set DATA_DIR, or set API_TOKEN',
    );
  }
  let token: unknown;
  try {
    token = (JSON.parse(text) as { api_token?: unknown }).api_token;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token.length === 0) {
    throw new CliError(`no API token: ${path} has no "api_token"`);
  }
  return token;
};
