/**
 * The policy file at synth time: read, validated with the same parser the functions use (a bad file
 * stops `cdk synth` with the field named), and shipped to the functions as minified JSON.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { type Policy, parsePolicyJson, resolvePolicy } from '../shared/policy/schema.js';
import { PROJECT_ROOT } from './bundling.js';
import { DEFAULT_CONFIG } from './context.js';

export interface SynthPolicy {
  policy: Policy;
  /** The file as written, minified (what `POLICY_JSON` carries); `{}` without a file. */
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

/** The route budget of a source once its overrides apply, in milliseconds. */
export const budgetMs = (policy: Policy, source: 'auth0' | 'stripe' | 'api'): number =>
  resolvePolicy(policy, source).budget_ms[source];
