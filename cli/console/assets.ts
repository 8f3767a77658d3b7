/** The console page's built files (see console/build.ts), read from disk on each request: a fixed set, no path walking. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { CliError } from '../errors.js';
import { packageRoot } from '../package-root.js';

/** Where `npm run build` puts the console's files, relative to the package root. */
export const ASSETS_SUBDIR = join('dist', 'console');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/;

export interface Asset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
}

/** Serves `index.html` and the files beside it; anything else is unknown. */
export interface AssetSource {
  readonly dir: string;
  index(): Promise<Asset>;
  /** A file of the assets folder by its bare name, or undefined. */
  file(name: string): Promise<Asset | undefined>;
}

const read = async (path: string): Promise<Asset> => ({
  body: await readFile(path),
  type: TYPES[extname(path)] ?? 'application/octet-stream',
});

/** Opens a built assets folder; throws a clear error when it holds no console build. */
export const openAssets = async (dir: string): Promise<AssetSource> => {
  const present = await stat(join(dir, 'index.html')).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!present) throw new CliError(`the console's files are not built in ${dir}: run "npm run build"`);
  return {
    dir,
    index: () => read(join(dir, 'index.html')),
    file: async (name) => {
      if (!SAFE_NAME.test(name) || !(extname(name) in TYPES)) return undefined;
      const names = await readdir(dir);
      return names.includes(name) ? read(join(dir, name)) : undefined;
    },
  };
};

/** `<package root>/dist/console`, wherever this module runs from (source through tsx, or the built CLI). */
export const defaultAssetsDir = async (): Promise<string> => {
  const root = await packageRoot();
  if (!root) throw new CliError('cannot find the signup-gate package root to serve the console from');
  return join(root, ASSETS_SUBDIR);
};
