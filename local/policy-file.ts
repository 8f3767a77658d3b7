/** Loads the policy file for the local server: a missing default file means the defaults; anything invalid throws. */
import { readFile } from 'node:fs/promises';
import { type Policy, parsePolicy, parsePolicyJson } from '../shared/policy/schema.js';

export const loadPolicyFile = async (
  path: string,
  explicit: boolean,
): Promise<{ policy: Policy; from: string }> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) {
      return { policy: parsePolicy({}), from: 'built-in defaults' };
    }
    throw new Error(`cannot read POLICY_FILE ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return { policy: parsePolicyJson(text), from: path };
};
