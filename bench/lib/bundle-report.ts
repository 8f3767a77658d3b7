/**
 * The bundle part of the bench: each Lambda function built with the stack's esbuild options, its minified size
 * against the 250 KB target and its cold import time in a fresh process against 100 ms; for each miss, the bytes
 * by package, a measured what-if (AWS SDK left to the runtime) and a `--cpu-prof` profile of the import.
 */

import { readFile } from 'node:fs/promises';
import type { FunctionName } from '../../infra/functions.js';
import {
  BUNDLE_DIR,
  type BuiltBundle,
  buildBundles,
  buildWhatIf,
  coldImport,
  lambdaLikeEnv,
  ROOT,
  readableFileOf,
} from './bundles.js';
import { bundleLineResolver, type ProfileSummary, profileImport, summariseProfile } from './profile.js';
import type { Results } from './results.js';
import { formatMs } from './stats.js';

export const BUNDLE_TARGETS = { bundleKb: 250, coldImportMs: 100 } as const;

export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

export const formatHotSpots = (summary: ProfileSummary, limit = 6): string[] => [
  `  - self time by module: ${summary.byModule
    .slice(0, limit)
    .map((h) => `${h.name} ${h.percent.toFixed(0)}%`)
    .join(', ')}`,
  `  - hottest functions: ${summary.byFunction
    .slice(0, limit)
    .map((h) => `\`${h.name}\` ${h.percent.toFixed(0)}%`)
    .join(', ')}`,
];

interface WhatIfResult {
  /** The same bundle with the AWS SDK left to the Lambda runtime. */
  sdkExternalKb: number;
  sdkExternalImportMs: number;
}

const whatIf = async (bundle: BuiltBundle, importRuns: number): Promise<WhatIfResult> => {
  const variant = await buildWhatIf(bundle.name, ['aws-sdk-external']);
  return {
    sdkExternalKb: variant.bytes / 1024,
    sdkExternalImportMs: (await coldImport(bundle.name, variant.file, Math.min(importRuns, 5))).medianMs,
  };
};

const bundleAdvice = (bundle: BuiltBundle, what: WhatIfResult, importMs: number): string[] => {
  const bytesOf = (name: string) => bundle.byPackage.find((p) => p.name === name)?.bytes ?? 0;
  const sdkBytes = bundle.byPackage
    .filter((p) => p.name.startsWith('@aws-sdk/') || p.name.startsWith('@smithy/'))
    .reduce((sum, p) => sum + p.bytes, 0);
  const advice: string[] = [];
  if (sdkBytes > 0) {
    advice.push(
      `AWS SDK v3 with its @smithy runtime: ${kb(sdkBytes)} of the bundle, bundled on purpose (infra/bundling.ts). Measured what-if: leaving \`@aws-sdk/*\` and \`@smithy/*\` to the nodejs22.x runtime gives ${what.sdkExternalKb.toFixed(1)} KB, but that bundle takes ${formatMs(what.sdkExternalImportMs)} ms to import (against ${formatMs(importMs)} ms bundled: the SDK then loads as many small files from node_modules) and the SDK version is no longer pinned. The 250 KB target (issue 6) predates the design's own stack and cannot hold with the SDK bundled.`,
    );
  }
  if (bytesOf('stripe') > 50 * 1024) {
    advice.push(
      bundle.name === 'api'
        ? `stripe: ${kb(bytesOf('stripe'))}. The api function needs the Stripe client only for the optional write-back after a review (docs/reviews.md); loading it lazily (\`await import('stripe')\` where the review write-back builds its client) would keep every API resource of the package out of the import path of every other route.`
        : `stripe: ${kb(bytesOf('stripe'))}, every API resource of the package. At request time the hook needs only \`Stripe.webhooks.constructEvent\` (an HMAC-SHA256 over \`t.payload\`); loading the client lazily for the optional write-back, and verifying with node:crypto as the library does, would keep the resources out of the import path (and, with esbuild \`splitting\`, out of the main chunk).`,
    );
  }
  if (bytesOf('zod') > 100 * 1024) {
    advice.push(
      `zod: ${kb(bytesOf('zod'))}; importing it as a namespace from zod/mini (with one locale) lets esbuild tree-shake it.`,
    );
  }
  return advice;
};

/** What the bundles measured, for the report's summary. */
export interface BundleSummary {
  bytes: { min: number; max: number };
  importMs: { min: number; max: number };
}

/** Builds, sizes and cold-imports every function, adding rows, misses and notes to `results`. */
export const measureBundles = async (
  results: Results,
  options: { importRuns: number; profile: boolean; log: (line: string) => void },
): Promise<BundleSummary> => {
  const { importRuns, profile, log } = options;
  log('bundles: building with the stack options');
  const { source, bundles } = await buildBundles(BUNDLE_DIR, profile);
  results.notes.push(
    source === 'fallback'
      ? 'infra/bundling.ts could not be loaded: the bundles were built with the same options restated in bench/lib/bundles.ts.'
      : 'Bundles are built with `esbuildOptions` from infra/bundling.ts, the options the stack deploys with, into the gitignored `.bench/`.',
  );
  const sizes = new Map<FunctionName, boolean>();
  for (const bundle of bundles) {
    const pass = bundle.bytes <= BUNDLE_TARGETS.bundleKb * 1024;
    results.row(`bundle size, ${bundle.name}`, kb(bundle.bytes), `≤ ${BUNDLE_TARGETS.bundleKb} KB`, pass);
    sizes.set(bundle.name, pass);
  }
  const imports = new Map<FunctionName, number>();
  for (const bundle of bundles) {
    log(`cold import: ${bundle.name}, ${importRuns} fresh processes`);
    const { medianMs, samples } = await coldImport(bundle.name, bundle.file, importRuns);
    results.row(
      `cold import, ${bundle.name} (median of ${samples.length})`,
      `${formatMs(medianMs)} ms`,
      `≤ ${BUNDLE_TARGETS.coldImportMs} ms`,
      medianMs <= BUNDLE_TARGETS.coldImportMs,
    );
    imports.set(bundle.name, medianMs);
  }
  for (const bundle of bundles) {
    const sizeOk = sizes.get(bundle.name) === true;
    const importMs = imports.get(bundle.name) ?? 0;
    const importOk = importMs <= BUNDLE_TARGETS.coldImportMs;
    if (sizeOk && importOk) continue;
    log(`what-if builds and import profile: ${bundle.name}`);
    const what = await whatIf(bundle, importRuns);
    if (!sizeOk) {
      const top = bundle.byPackage.slice(0, 6).map((p) => `${p.name} ${kb(p.bytes)}`);
      results.misses.push({
        metric: `bundle size, ${bundle.name}`,
        explanation: [
          `${kb(bundle.bytes)} minified; bytes in the output by package (esbuild metafile): ${top.join(', ')}.`,
          ...bundleAdvice(bundle, what, importMs),
        ],
      });
    }
    if (!importOk) {
      const explanation = [
        `Median ${formatMs(importMs)} ms to import the minified bundle in a fresh Node ${process.version} process.`,
      ];
      if (profile) {
        const readable = readableFileOf(bundle.file);
        const cpu = await profileImport(readable, lambdaLikeEnv(bundle.name));
        const summary = summariseProfile(cpu, bundleLineResolver(await readFile(readable, 'utf8'), ROOT));
        explanation.push(
          `\`node --cpu-prof\` of one import of the unminified twin (${formatMs(summary.totalMs)} ms sampled, profiler overhead included):`,
          ...formatHotSpots(summary),
          "`compileSourceTextModule` is V8 parsing and compiling the bundle text: it grows with the bytes, so the size fixes are the import-time fixes; `__init` is esbuild running the bundled modules' top-level code.",
        );
      }
      explanation.push(
        `Measured what-if: with the AWS SDK left out of the bundle (loaded from node_modules, as the Lambda runtime would) the import takes ${formatMs(what.sdkExternalImportMs)} ms: marking the SDK external shrinks the zip but ${what.sdkExternalImportMs < importMs ? 'also' : 'does not'} speed up the import.`,
      );
      results.misses.push({ metric: `cold import, ${bundle.name}`, explanation });
    }
  }
  const bytes = bundles.map((b) => b.bytes);
  const times = [...imports.values()];
  return {
    bytes: { min: Math.min(...bytes), max: Math.max(...bytes) },
    importMs: { min: Math.min(...times), max: Math.max(...times) },
  };
};
