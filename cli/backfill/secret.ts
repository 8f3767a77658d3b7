/**
 * The operator's backfill secret, which keys the rows' Idempotency-Keys: `SIGNUP_GATE_BACKFILL_KEY`, else
 * `$XDG_CONFIG_HOME/signup-gate/backfill-key` (default `~/.config/...`), created on first use (mode 0600).
 * The same secret gives the same keys, so a rerun from this account resumes without new Defastra calls.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from '../errors.js';

export const secretPath = (env: NodeJS.ProcessEnv): string =>
  join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'signup-gate', 'backfill-key');

const readSecret = async (path: string): Promise<Buffer | undefined> => {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    if (!/^[0-9a-f]{64}$/.test(text))
      throw new CliError(`${path} is damaged: delete it (new keys mean a rerun calls Defastra again)`);
    return Buffer.from(text, 'hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (error instanceof CliError) throw error;
    throw new CliError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
};

export const loadBackfillSecret = async (env: NodeJS.ProcessEnv): Promise<Buffer> => {
  const given = env.SIGNUP_GATE_BACKFILL_KEY;
  if (given !== undefined && given !== '') {
    if (given.length < 16) throw new CliError('SIGNUP_GATE_BACKFILL_KEY: at least 16 characters');
    return Buffer.from(given, 'utf8');
  }
  const path = secretPath(env);
  const existing = await readSecret(path);
  if (existing) return existing;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new CliError(`${path}: cannot create (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const created = await readSecret(path);
  if (!created) throw new CliError(`${path}: cannot read back`);
  return created;
};
