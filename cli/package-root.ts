/** The signup-gate project this CLI belongs to: the folder whose package.json is `signup-gate`, searched upward from this module. */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, wherever this module runs from (source through tsx, or the built CLI in dist/cli/); undefined outside one. */
export const packageRoot = async (
  from: string = fileURLToPath(import.meta.url),
): Promise<string | undefined> => {
  let dir = dirname(from);
  for (;;) {
    const pkg = await readFile(join(dir, 'package.json'), 'utf8').then(
      (text) => JSON.parse(text) as { name?: unknown },
      () => undefined,
    );
    if (pkg?.name === 'signup-gate') return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
};
