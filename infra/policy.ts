/**
 * The policy file at synth time: read, validated with the same parser the functions use (a bad file
 * stops `cdk synth` with the field named), minified, and staged as a file that every function bundle
 * ships as `policy.json` (docs/policy.md: its list entries are personal data, so never the environment or
 * the template).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Source } from '../shared/core/levels.js';
import { type Policy, parsePolicyJson, resolvePolicy } from '../shared/policy/schema.js';
import { PROJECT_ROOT } from './bundling.js';
import { DEFAULT_CONFIG } from './context.js';

export interface SynthPolicy {
  policy: Policy;
  /** The file as written, minified (what each bundle's `policy.json` holds); `{}` without a file. */
  json: string;
  /** Where it came from, for messages. */
  from: string;
}

/**
 * Loads `policyFile` (relative to `root`, the project root by default). Only the default `policy.json` may be missing
 * (then the built-in defaults apply); an explicit file that cannot be read is an error.
 * Throws PolicyError (with `.field`) for an invalid policy.
 */
export const loadSynthPolicy = (policyFile: string, root: string = PROJECT_ROOT): SynthPolicy => {
  const path = isAbsolute(policyFile) ? policyFile : resolve(root, policyFile);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && policyFile === DEFAULT_CONFIG.policyFile) {
      return { policy: parsePolicyJson('{}'), json: '{}', from: 'built-in defaults' };
    }
    throw new Error(`cannot read policy file ${path}: ${code ?? String(error)}`);
  }
  const policy = parsePolicyJson(text);
  const stripped = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return { policy, json: JSON.stringify(JSON.parse(stripped)), from: path };
};

/**
 * Writes the minified policy to `<dir>/policy-<sha256 prefix>.json` and returns that path: the file the
 * bundling hook copies into every function's asset. Named by content, so two synths of the same policy
 * stage the same file, and the asset hashes (computed from the bundle output) change with the policy.
 * `dir` is the cloud assembly directory, which already holds the bundles, so no copy of the lists lands
 * anywhere else. The staged file is private to the user running synth (0600); the copy in each asset is
 * made readable by anyone (infra/bundling.ts ASSET_MODES), as Lambda needs.
 */
export const stagePolicyFile = (json: string, dir: string): string => {
  const digest = createHash('sha256').update(json).digest('hex').slice(0, 16);
  const folder = join(dir, 'signup-gate-policy');
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `policy-${digest}.json`);
  writeFileSync(path, json, { mode: 0o600 });
  return path;
};

/** The route budget of a source once its overrides apply, in milliseconds. */
export const budgetMs = (policy: Policy, source: Source): number =>
  resolvePolicy(policy, source).budget_ms[source];
