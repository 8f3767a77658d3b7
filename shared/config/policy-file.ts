/**
 * The policy inside a Lambda function: the stack validates the policy file at synth and ships it in the function's
 * code bundle as `policy.json`, never in the environment or the template (its list entries are personal data).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { type Policy, parsePolicyJson } from '../policy/schema.js';
import { ConfigError } from './errors.js';

/** The file name the stack writes next to each bundle. */
export const BUNDLED_POLICY_FILE = 'policy.json';

/** Reads `POLICY_FILE` (default `policy.json`), relative to the function's code (`LAMBDA_TASK_ROOT`) or the cwd. */
export const loadBundledPolicy = (env: NodeJS.ProcessEnv): Policy => {
  const name = env.POLICY_FILE?.trim() || BUNDLED_POLICY_FILE;
  const path = isAbsolute(name) ? name : join(env.LAMBDA_TASK_ROOT ?? process.cwd(), name);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read the policy file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  return parsePolicyJson(text);
};
