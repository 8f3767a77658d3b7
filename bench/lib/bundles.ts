/**
 * Builds each function's Lambda bundle and measures it: minified size, and the time a fresh Node process
 * takes to import it (the module-loading part of a Lambda cold start).
 *
 * The build reuses the stack's own esbuild options (`infra/bundling.ts` → `esbuildOptions`), so the size
 * measured here is the size that deploys. Should that helper not load, the same options are rebuilt here
 * from the design (bundle, minify, ESM, node22, external source map, `module,main`, a `require` banner).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { FUNCTION_NAMES, type FunctionName } from '../../infra/functions.js';
import { median } from './stats.js';

/** The policy file a bundle reads (the stack ships one next to each bundle): the defaults. */
const EMPTY_POLICY_FILE = (() => {
  const path = join(mkdtempSync(join(tmpdir(), 'signup-gate-bench-policy-')), 'policy.json');
  writeFileSync(path, '{}');
  return path;
})();

export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

export interface BuiltBundle {
  name: FunctionName;
  file: string;
  bytes: number;
  /** Bytes in the output per package (`zod`, `stripe`, …) or `(project)`, largest first. */
  byPackage: Array<{ name: string; bytes: number }>;
}

const packageOf = (path: string): string =>
  /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? '(project code)';

const FALLBACK_BANNER =
  "import { createRequire as __signupGateCreateRequire } from 'node:module'; const require = __signupGateCreateRequire(import.meta.url);";

const fallbackOptions = (name: FunctionName, outfile: string): BuildOptions => ({
  entryPoints: [join(ROOT, 'functions', name, 'handler.ts')],
  outfile,
  bundle: true,
  absWorkingDir: ROOT,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  sourcemap: 'external',
  mainFields: ['module', 'main'],
  banner: { js: FALLBACK_BANNER },
  metafile: true,
  logLevel: 'silent',
});

/** Where the options came from: `infra` (the stack's helper) or `fallback`. */
export type OptionsSource = 'infra' | 'fallback';

const optionsFor = async (): Promise<{
  source: OptionsSource;
  options: (name: FunctionName, outfile: string) => BuildOptions;
}> => {
  try {
    const infra = await import('../../infra/bundling.js');
    return { source: 'infra', options: (name, outfile) => infra.esbuildOptions(name, outfile) };
  } catch {
    return { source: 'fallback', options: fallbackOptions };
  }
};

export const BUNDLE_DIR = join(ROOT, '.bench', 'bundles');

/**
 * Builds every function into `outDir/<name>/index.mjs` (gitignored `.bench/`). With `readable`, the same
 * build unminified into `index.readable.mjs`: esbuild then marks each input with a `// path` comment, which
 * lets a CPU profile of the import be attributed to packages.
 */
export const buildBundles = async (
  outDir = BUNDLE_DIR,
  readable = false,
): Promise<{ source: OptionsSource; bundles: BuiltBundle[] }> => {
  const { source, options } = await optionsFor();
  const bundles: BuiltBundle[] = [];
  for (const name of FUNCTION_NAMES) {
    const file = join(outDir, name, 'index.mjs');
    await mkdir(dirname(file), { recursive: true });
    const result = await build(options(name, file));
    const outputs = result.metafile?.outputs ?? {};
    const output = outputs[Object.keys(outputs).find((o) => o.endsWith('.mjs')) ?? ''];
    const sizes = new Map<string, number>();
    for (const [path, info] of Object.entries(output?.inputs ?? {})) {
      sizes.set(packageOf(path), (sizes.get(packageOf(path)) ?? 0) + info.bytesInOutput);
    }
    const byPackage = [...sizes.entries()]
      .map(([pkg, bytes]) => ({ name: pkg, bytes }))
      .sort((a, b) => b.bytes - a.bytes);
    if (readable) {
      await build({
        ...options(name, readableFileOf(file)),
        minify: false,
        sourcemap: false,
        metafile: false,
      });
    }
    bundles.push({ name, file, bytes: (await stat(file)).size, byPackage });
  }
  return { source, bundles };
};

/** The unminified twin of a bundle built with `readable`. */
export const readableFileOf = (file: string): string => file.replace(/\.mjs$/, '.readable.mjs');

/**
 * The environment a function gets from the stack, with fake ARNs: the handler reads none of it at import
 * (deps are built on the first request), and nothing here can reach AWS (no credentials, no request made).
 */
export const lambdaLikeEnv = (name: FunctionName): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_NAME: `signup-gate-${name}`,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  TABLE_NAME: 'signup-gate-bench',
  POLICY_FILE: EMPTY_POLICY_FILE,
  EVENT_BUS_NAME: 'signup-gate-bench',
  DEFASTRA_API_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:defastra-AbCdEf',
  PEPPER_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pepper-AbCdEf',
  POWERTOOLS_SERVICE_NAME: `signup-gate-${name}`,
  POWERTOOLS_METRICS_NAMESPACE: 'SignupGateBench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

const IMPORT_SCRIPT = `const t = performance.now();
const m = await import(process.argv[1]);
const ms = performance.now() - t;
if (typeof m.handler !== 'function') throw new Error('no handler export');
console.log(JSON.stringify({ ms }));`;

/** One fresh `node` process that imports the bundle and prints how long the import took, in ms. */
const importOnce = (name: FunctionName, file: string, timeoutMs = 15_000): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', IMPORT_SCRIPT, pathToFileURL(file).href],
      { env: lambdaLikeEnv(name), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve((JSON.parse(line) as { ms: number }).ms);
      } catch (error) {
        reject(new Error(`importing ${file} failed (${(error as Error).message}): ${err.slice(0, 500)}`));
      }
    });
  });

/** The median import time over `runs` fresh processes (and every sample). */
export const coldImport = async (
  name: FunctionName,
  file: string,
  runs = 7,
): Promise<{ medianMs: number; samples: number[] }> => {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) samples.push(await importOnce(name, file));
  return { medianMs: median(samples), samples };
};

/** A change to try on the bundling, applied at build time only (the sources are never touched). */
export type WhatIf = 'aws-sdk-external';

/** Builds one function with the given what-ifs into `.bench/what-if/`; returns the output file and its size. */
export const buildWhatIf = async (
  name: FunctionName,
  whatIfs: readonly WhatIf[],
): Promise<{ file: string; bytes: number }> => {
  const { options } = await optionsFor();
  const file = join(ROOT, '.bench', 'what-if', whatIfs.join('+') || 'none', name, 'index.mjs');
  await mkdir(dirname(file), { recursive: true });
  const base = options(name, file);
  await build({
    ...base,
    metafile: false,
    external: [
      ...(base.external ?? []),
      ...(whatIfs.includes('aws-sdk-external') ? ['@aws-sdk/*', '@smithy/*'] : []),
    ],
  });
  return { file, bytes: (await stat(file)).size };
};
