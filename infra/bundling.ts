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

/**
 * The modes of everything in a function's code asset. Lambda runs the code as a user that owns none of
 * its files, and the CDK CLI zips each file with its mode, so every file must be readable by anyone: a
 * file staged 0600 (the policy) made every function fail at its first request.
 */
export const ASSET_MODES = { file: '0644', directory: '0755' } as const;

/**
 * The first thing in every bundle. The asset hash (the S3 key of the code zip) covers file contents, not
 * modes: a fix to the modes alone would keep the same key, and `cdk deploy` would upload nothing and leave
 * the functions as they were. Naming the modes in the bundle makes them part of its content, so changing
 * them (as the fix that added this line did) changes every asset hash and really ships.
 */
const ASSET_MODES_COMMENT = `/* signup-gate asset: files ${ASSET_MODES.file}, directories ${ASSET_MODES.directory} */`;

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
  banner: `${ASSET_MODES_COMMENT} ${ESM_REQUIRE_BANNER}`,
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
 * Shell commands setting ASSET_MODES on everything under `dir`, whatever the umask and the modes of the
 * copied files. Not on Windows, which has no POSIX modes (Node reports its files as 0666, and the CLI
 * zips them so).
 */
const assetModeCommands = (dir: string): string[] =>
  process.platform === 'win32'
    ? []
    : [
        `find ${shellQuote(dir)} -type d -exec chmod ${ASSET_MODES.directory} {} +`,
        `find ${shellQuote(dir)} -type f -exec chmod ${ASSET_MODES.file} {} +`,
      ];

/**
 * `bundling` of each NodejsFunction: local esbuild only, never Docker. With `extraFiles` (name → path of a
 * file staged at synth), each file is copied next to the bundle after esbuild ran, so it ships in the code
 * asset (and counts in its hash) instead of the environment or the template. Then every file and folder of
 * the asset gets ASSET_MODES.
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
    afterBundling: (_inputDir, outputDir) => [
      ...Object.entries(extraFiles).map(([name, file]) => copyCommand(file, outputDir, name)),
      ...assetModeCommands(outputDir),
    ],
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
