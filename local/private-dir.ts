/**
 * DATA_DIR is private to its user (docs/local.md): the embedded store's LevelDB files, the development secrets and the
 * events file hold the pepper, keyed hashes and masked verdicts. Folders 0700 and files 0600 whatever the umask: the
 * process creates files with a 077 umask while a server runs, and files left by an earlier version are tightened at
 * start.
 */
import { chmod, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;
/** The umask under which the files a server creates (LevelDB's own included) come out 0600 and folders 0700. */
const PRIVATE_UMASK = 0o077;

/** Creates `dir` if needed and makes it and everything in it private: folders 0700, files 0600. */
export const makePrivate = async (dir: string): Promise<void> => {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
  await chmod(dir, PRIVATE_DIR);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makePrivate(path);
    else if (entry.isFile()) await chmod(path, PRIVATE_FILE);
  }
};

let holders = 0;
let previous: number | undefined;

/**
 * Sets the process umask to 077 until the returned function is called (several servers in one process share it;
 * the last one out restores the umask it found). A no-op where the umask cannot be set (worker threads).
 */
export const holdPrivateUmask = (): (() => void) => {
  try {
    const before = process.umask(PRIVATE_UMASK);
    if (holders === 0) previous = before;
    holders++;
  } catch {
    return () => undefined;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders--;
    if (holders === 0 && previous !== undefined) process.umask(previous);
  };
};
