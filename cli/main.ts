/** The CLI's entry (bundled to dist/cli.mjs, started by cli/bin.mjs): runs the program and maps errors to exit codes. */
import { CommanderError } from 'commander';
import { CliError, EXIT } from './errors.js';
import { err } from './output.js';
import { createProgram } from './program.js';

/** Runs `signup-gate` with `argv` (as process.argv) and resolves with the exit code. */
export const run = async (argv: string[]): Promise<number> => {
  // The AWS SDK warns that its 2027 releases need Node 22; this CLI supports Node 20+ today.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // `signup-gate ... | head`: a reader that stops early is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
    throw error;
  });
  // `npm run cli -- …` runs in the project root: read the user's relative paths (a backfill file, a policy)
  // from the folder they typed the command in. The token is found from there too (see local-token.ts).
  if (process.env.npm_lifecycle_event === 'cli' && process.env.npm_package_name === 'signup-gate') {
    const typedIn = process.env.INIT_CWD;
    if (typedIn) process.chdir(typedIn);
  }
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with 0; everything else commander reports (already printed) is a usage error.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version'
        ? EXIT.ok
        : EXIT.usage;
    }
    if (error instanceof CliError) {
      err(`signup-gate: ${error.message}`);
      return error.exitCode;
    }
    err(`signup-gate: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failure;
  }
};
