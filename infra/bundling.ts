/**
 * One esbuild configuration for the Lambda bundles, in two shapes: the CDK `NodejsFunction` bundling
 * options (the stack) and the esbuild JS API options (the bundle-size benchmark and tests). Both are
 * derived from BUNDLE below, so a size measured locally is the size that deploys.
 */
import { fileURLToPath } from 'node:url';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** The repository root (projectRoot of every function). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

import type { FunctionName } from './functions.js';

export { FUNCTION_NAMES, type FunctionName } from './functions.js';

export const entryOf = (name: FunctionName): string => `${PROJECT_ROOT}/functions/${name}/handler.ts`;

/**
 * ESM bundles cannot `require()`; a CommonJS dependency that does (e.g. for a Node built-in) would
 * fail at load. This banner gives the bundle a real `require` for that case.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __signupGateCreateRequire } from 'node:module'; const require = __signupGateCreateRequire(import.meta.url);";

export const BUNDLE = {
  target: 'node22',
  platform: 'node',
  format: 'esm',
  minify: true,
  sourceMap: true,
  /** Stack traces only need the mappings; the original sources would double the asset for nothing. */
  sourcesContent: false,
  mainFields: ['module', 'main'],
  /** Nothing external: the AWS SDK v3 clients are bundled (smaller cold start than the runtime's copy). */
  externalModules: [] as string[],
  banner: ESM_REQUIRE_BANNER,
  /** The file NodejsFunction writes for the ESM format. */
  outfileName: 'index.mjs',
} as const;

/** One argument for bash, single-quoted. */
const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** A shell command (bash, or cmd on Windows: NodejsFunction runs its local bundling in either) copying `file` into `dir` as `name`. */
const copyCommand = (file: string, dir: string, name: string): string =>
  process.platform === 'win32'
    ? `copy /Y "${file}" "${dir}\\${name}"`
    : `cp ${shellQuote(file)} ${shellQuote(`${dir}/${name}`)}`;

/**
 * `bundling` of each NodejsFunction: local esbuild only, never Docker. With `extraFiles` (name → path of a
 * file staged at synth), each file is copied next to the bundle after esbuild ran, so it ships in the code
 * asset (and counts in its hash) instead of the environment or the template.
 */
export const cdkBundlingOptions = (extraFiles: Record<string, string> = {}): BundlingOptions => ({
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  target: BUNDLE.target,
  minify: BUNDLE.minify,
  sourceMap: BUNDLE.sourceMap,
  sourcesContent: BUNDLE.sourcesContent,
  mainFields: [...BUNDLE.mainFields],
  externalModules: [...BUNDLE.externalModules],
  banner: BUNDLE.banner,
  logLevel: LogLevel.WARNING,
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) =>
      Object.entries(extraFiles).map(([name, file]) => copyCommand(file, outputDir, name)),
  },
});

/** The same build through the esbuild JS API (what `NodejsFunction` runs through the esbuild CLI). */
export const esbuildOptions = (name: FunctionName, outfile: string): BuildOptions => ({
  entryPoints: [entryOf(name)],
  outfile,
  bundle: true,
  absWorkingDir: PROJECT_ROOT,
  platform: BUNDLE.platform,
  format: BUNDLE.format,
  target: BUNDLE.target,
  minify: BUNDLE.minify,
  sourcemap: BUNDLE.sourceMap,
  sourcesContent: BUNDLE.sourcesContent,
  mainFields: [...BUNDLE.mainFields],
  external: [...BUNDLE.externalModules],
  banner: { js: BUNDLE.banner },
  metafile: true,
  logLevel: 'warning',
});
