/** Builds the review console's static assets: the page bundled by esbuild (no CDN, works offline) plus its HTML. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const source = (name: string): string => fileURLToPath(new URL(`./src/${name}`, import.meta.url));

/** Replaces one file atomically (write, then rename) and leaves it alone when unchanged. */
const put = async (path: string, content: Uint8Array): Promise<void> => {
  const previous = await readFile(path).catch(() => undefined);
  if (previous?.equals(content)) return;
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, content);
  await rename(temp, path);
};

/**
 * Writes `index.html`, `app.js`, `app.css` (with uPlot's styles), their source maps and `favicon.svg` into
 * `outDir`. Each file is replaced atomically, so a console serving the folder, or a second build running at
 * the same time, never sees half a file.
 */
export const buildConsole = async (outDir: string): Promise<void> => {
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: { app: source('main.tsx') },
    outdir: outDir,
    write: false,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome111', 'firefox111', 'safari16.4'],
    minify: true,
    sourcemap: 'linked',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files = [
    ...result.outputFiles.map((f) => ({ name: basename(f.path), content: f.contents })),
    ...(await Promise.all(
      ['index.html', 'favicon.svg'].map(async (name) => ({ name, content: await readFile(source(name)) })),
    )),
  ];
  await Promise.all(files.map((f) => put(join(outDir, f.name), f.content)));
};
