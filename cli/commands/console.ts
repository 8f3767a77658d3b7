/** `signup-gate console`: registers the review console (README.md#review-console) and hands it the resolved target. */
import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { out } from '../output.js';
import { wholeNumber } from '../when.js';

interface ConsoleCommandOptions {
  port: number;
  open: boolean;
}

export const registerConsole = (program: Command): void => {
  program
    .command('console')
    .description('the review console in your browser (127.0.0.1)')
    .option('--port <port>', 'local port (0 picks a free one)', wholeNumber(0, 65535), 4000)
    .option('--no-open', 'do not open the login URL in a browser')
    .addHelpText(
      'after',
      '\nThe console talks to the target chosen by --url/--stack with the same auth as the CLI;\nno credential reaches the browser.\n\nExample:\n  signup-gate console --stack SignupGate --no-open',
    )
    .action(async (options: ConsoleCommandOptions, command: Command) => {
      const context = contextOf(command);
      const target = await context.target();
      const { runConsole } = await import('../console/run.js');
      await runConsole({
        target,
        port: options.port,
        open: options.open,
        // --json: one JSON object per status line, for scripts that wait for the login URL.
        log: context.json ? (line) => process.stdout.write(`${JSON.stringify({ message: line })}\n`) : out,
      });
    });
};
