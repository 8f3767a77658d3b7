/**
 * Bundles the CLI (cli/main.ts) for Node 20 with esbuild into dist/cli/: ESM with code splitting, so the
 * AWS SDK, the backfill and the console load only for the commands that use them; npm packages stay
 * external (they are installed beside it).
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where cli/bin.mjs loads the CLI from: `dist/cli/main.mjs` and its `chunks/`. */
export const CLI_DIR = join(ROOT, 'dist', 'cli');

/** Writes a file by rename, so a reader sees the old or the new content, never half of it; skips it when unchanged. */
const replaceFile = async (path: string, text: string): Promise<void> => {
  if ((await readFile(path, 'utf8').catch(() => undefined)) === text) return;
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
};

/**
 * Builds the CLI into `outDir`. Chunks carry a content hash and are written before the entry, so test files
 * building at the same time as others run the CLI never load a mix of two builds.
 */
export const buildCli = async (outDir = CLI_DIR): Promise<void> => {
  const result = await build({
    entryPoints: { main: join(ROOT, 'cli', 'main.ts') },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const entry = join(outDir, 'main.mjs');
  const files = result.outputFiles;
  for (const file of files) if (file.path !== entry) await replaceFile(file.path, file.text);
  const main = files.find((f) => f.path === entry);
  if (!main) throw new Error('esbuild produced no dist/cli/main.mjs');
  await replaceFile(entry, main.text);
  const chunks = join(outDir, 'chunks');
  const current = new Set(files.map((f) => f.path));
  for (const name of await readdir(chunks).catch(() => [] as string[])) {
    if (!name.endsWith('.tmp') && !current.has(join(chunks, name)))
      await rm(join(chunks, name), { force: true });
  }
};
