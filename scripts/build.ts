/** `npm run build` (also run by `npm ci` through `prepare`): the operator CLI into dist/cli/, the console's assets into dist/console/. */
import { join } from 'node:path';
import { buildCli, ROOT } from '../cli/build.js';
import { buildConsole } from '../console/build.js';

const main = async (): Promise<void> => {
  const started = performance.now();
  await Promise.all([buildCli(), buildConsole(join(ROOT, 'dist', 'console'))]);
  process.stdout.write(`built dist/cli and dist/console in ${Math.round(performance.now() - started)} ms\n`);
};

main().catch((error: unknown) => {
  process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
