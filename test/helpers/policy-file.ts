/** Test helper: a policy document written to a temporary file, as the stack ships one in each function's bundle. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes `policy` (an object, or raw text) to a fresh temporary file and returns its absolute path. */
export const policyFile = (policy: unknown = {}): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'signup-gate-policy-')), 'policy.json');
  writeFileSync(path, typeof policy === 'string' ? policy : JSON.stringify(policy));
  return path;
};
