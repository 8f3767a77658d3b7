/**
 * The bearer token of a local server: `API_TOKEN` (first of a comma list), else `DATA_DIR/dev-secrets.json`.
 * Without DATA_DIR, `./.data` is read, then the project's own `.data` (the CLI knows where it is installed),
 * so the CLI finds `npm start`'s token from any folder of the project.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError } from './errors.js';
import { packageRoot } from './package-root.js';

/** Same file name as the server's `DEV_SECRETS_FILE`; the CLI reads only its `api_token`. */
const DEV_SECRETS_FILE = 'dev-secrets.json';
const DEFAULT_DATA_DIR = '.data';

export interface LocalToken {
  token: string;
  /** Where it came from: `API_TOKEN`, or the path of the dev-secrets file (never the token itself). */
  from: string;
}

/** The value of `field` in one dev-secrets file, or the error code when it cannot be read (`ENOENT`...). */
const readFrom = async (
  path: string,
  field = 'api_token',
  what = 'API token',
): Promise<{ token: string } | { problem: string }> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { problem: (error as NodeJS.ErrnoException).code ?? 'unreadable' };
  }
  let token: unknown;
  try {
    token = (JSON.parse(text) as Record<string, unknown>)[field];
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token.length === 0) {
    throw new CliError(`no ${what}: ${path} has no "${field}"`);
  }
  return { token };
};

/** What to do when no token was found: the project, its server, and the CLI run inside it. */
const HOW_TO =
  'start the local server in the signup-gate project (npm start) and run the CLI inside that project ' +
  '(npx signup-gate …, or npm run cli -- … from any of its folders), or set API_TOKEN';

export interface TokenSearch {
  /** Where relative paths start; default the current directory. */
  cwd?: string;
  /** The project's root; default the one this CLI is installed in (undefined outside a project). */
  projectRoot?: Promise<string | undefined>;
}

export const readLocalToken = async (
  env: NodeJS.ProcessEnv,
  search: TokenSearch = {},
): Promise<LocalToken> => {
  const cwd = search.cwd ?? process.cwd();
  const fromEnv = env.API_TOKEN?.split(',')[0]?.trim();
  if (fromEnv) return { token: fromEnv, from: 'API_TOKEN' };
  if (env.DATA_DIR) {
    const path = resolve(cwd, env.DATA_DIR, DEV_SECRETS_FILE);
    const found = await readFrom(path);
    if ('token' in found) return { token: found.token, from: path };
    throw new CliError(
      `no API token: API_TOKEN is not set and ${path} cannot be read (${found.problem}): ` +
        'is DATA_DIR the one npm start uses? Or set API_TOKEN',
    );
  }
  const root = await (search.projectRoot ?? packageRoot());
  const candidates = [
    ...new Set([resolve(cwd, DEFAULT_DATA_DIR), ...(root ? [resolve(root, DEFAULT_DATA_DIR)] : [])]),
  ];
  for (const dir of candidates) {
    const path = resolve(dir, DEV_SECRETS_FILE);
    const found = await readFrom(path);
    if ('token' in found) return { token: found.token, from: path };
  }
  const where = candidates.map((dir) => resolve(dir, DEV_SECRETS_FILE)).join(' nor ');
  throw new CliError(`no API token: API_TOKEN is not set and there is no ${where}: ${HOW_TO}`);
};

/** A secret the local server reads from the environment, else generates into `DATA_DIR/dev-secrets.json`. */
export interface LocalSecretSetting {
  /** The server's variable, e.g. `AUTH0_HOOK_SECRET`. */
  env: string;
  /** Its key in `dev-secrets.json`, e.g. `auth0_hook_secret`. */
  field: string;
  /** How the variable separates the values of a rotation: the first one is used. */
  separator: 'comma' | 'space';
  /** For messages: `the Auth0 hook secret`. */
  what: string;
}

/**
 * A hook secret of the local server, found as the token is: the variable (its first value), else the field in
 * `DATA_DIR/dev-secrets.json` (without DATA_DIR: `./.data`, then the project's own `.data`). `from` never holds the
 * value.
 */
export const readLocalSecret = async (
  env: NodeJS.ProcessEnv,
  setting: LocalSecretSetting,
  search: TokenSearch = {},
): Promise<LocalToken> => {
  const cwd = search.cwd ?? process.cwd();
  const fromEnv = env[setting.env]
    ?.split(setting.separator === 'comma' ? ',' : ' ')
    .map((v) => v.trim())
    .find((v) => v !== '');
  if (fromEnv) return { token: fromEnv, from: setting.env };
  let dirs = [resolve(cwd, env.DATA_DIR || DEFAULT_DATA_DIR)];
  if (!env.DATA_DIR) {
    const root = await (search.projectRoot ?? packageRoot());
    if (root) dirs = [...new Set([...dirs, resolve(root, DEFAULT_DATA_DIR)])];
  }
  for (const dir of dirs) {
    const path = resolve(dir, DEV_SECRETS_FILE);
    const found = await readFrom(path, setting.field, setting.what);
    if ('token' in found) return { token: found.token, from: path };
  }
  const where = dirs.map((dir) => resolve(dir, DEV_SECRETS_FILE)).join(' nor ');
  const todo = env.DATA_DIR
    ? `is DATA_DIR the one npm start uses? Or set ${setting.env}`
    : `start the local server in the signup-gate project (npm start) and run the CLI inside that project, or set ${setting.env}`;
  throw new CliError(`no ${setting.what}: ${setting.env} is not set and there is no ${where}: ${todo}`);
};
