/**
 * The CDK app entry (`cdk.json`: `npx tsx infra/app.ts`). Settings are checked against `cdk.json` and the recorded
 * stateful names; a configuration error (a bad context value, a refused one-off or rename, an invalid policy) is one
 * line on stderr and exit code 1, not a stack trace.
 */
import { PolicyError } from '../shared/policy/schema.js';
import { buildApp } from './build-app.js';
import { PROJECT_ROOT } from './bundling.js';
import { ContextError } from './context.js';

try {
  buildApp({}, { settingsRoot: PROJECT_ROOT });
} catch (error) {
  if (!(error instanceof ContextError || error instanceof PolicyError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
