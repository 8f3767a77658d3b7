#!/usr/bin/env node
// `npx signup-gate`: runs the CLI bundled by `npm run build` (dist/cli/main.mjs at the project root).
const bundle = new URL('../dist/cli/main.mjs', import.meta.url);
let cli;
try {
  cli = await import(bundle.href);
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli/main.mjs'))
    throw error;
  process.stderr.write('signup-gate: the CLI is not built: run npm run build (npm ci does it)\n');
  process.exit(1);
}
const code = await cli.run(process.argv);
// Exit once the output is flushed: an idle keep-alive connection must not hold the process open.
const flushed = (stream) => new Promise((resolve) => stream.write('', resolve));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
