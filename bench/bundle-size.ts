/**
 * Builds one function's Lambda bundle with the stack's own esbuild options (infra/bundling.ts) and
 * reports its minified size. Used by the infra tests and the benchmark report; run directly
 * (`npx tsx bench/bundle-size.ts`) it prints one line per function.
 */
import { mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { BUNDLE, esbuildOptions, FUNCTION_NAMES, type FunctionName } from '../infra/bundling.js';

export interface FunctionBundle {
  /** Size of the minified `index.mjs` (source map excluded), in bytes. */
  bytes: number;
  outfile: string;
  metafile: Metafile;
}

/** Builds `functions/<name>/handler.ts` into `<outDir>/<name>/index.mjs` (a temp folder by default). */
export const bundleFunction = async (
  name: FunctionName,
  outDir: string = join(tmpdir(), 'signup-gate-bundles'),
): Promise<FunctionBundle> => {
  const dir = join(outDir, name);
  await mkdir(dir, { recursive: true });
  const outfile = join(dir, BUNDLE.outfileName);
  const result = await build(esbuildOptions(name, outfile));
  return { bytes: (await stat(outfile)).size, outfile, metafile: result.metafile! };
};

/** `bundle api: 123.4 KB` (1 KB = 1024 bytes). */
export const formatBundleSize = (name: string, bytes: number): string =>
  `bundle ${name}: ${(bytes / 1024).toFixed(1)} KB`;

/** The largest packages of a bundle, as `name size` pairs in KB. */
export const largestPackages = (metafile: Metafile, count = 5): string[] => {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, info] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? '(project)';
      sizes.set(pkg, (sizes.get(pkg) ?? 0) + info.bytesInOutput);
    }
  }
  return [...sizes.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([pkg, bytes]) => `${pkg} ${(bytes / 1024).toFixed(1)} KB`);
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const name of FUNCTION_NAMES) {
    const { bytes, metafile } = await bundleFunction(name);
    console.log(`${formatBundleSize(name, bytes)}  (${largestPackages(metafile).join(', ')})`);
  }
}
