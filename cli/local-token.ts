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

/** The token in one dev-secrets file, or the error code when it cannot be read (`ENOENT`...). */
const readFrom = async (path: string): Promise<{ token: string } | { problem: string }> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { problem: (error as NodeJS.ErrnoException).code ?? 'unreadable' };
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
