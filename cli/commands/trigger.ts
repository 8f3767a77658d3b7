/** `signup-gate trigger <provider>`: a realistic, signed sign-up event of one provider, sent to the target (cli/trigger/). */
import { type Command, Option } from 'commander';
import { DECISIONS } from '../../shared/core/levels.js';
import { contextOf, type GlobalOptions } from '../context.js';
import { resolveLocation } from '../resolve-target.js';
import { TRIGGER_PROVIDERS } from '../trigger/registry.js';
import { runTrigger, type TriggerOptions } from '../trigger/run.js';

const PROVIDERS_HELP = `
Providers:
${TRIGGER_PROVIDERS.map((p) => `  ${p.name.padEnd(9)} ${p.description}`).join('\n')}

Without --email and --phone, a new sandbox identity is made for the --decision-hint (default allow).
Hook secrets come from the server's variables (AUTH0_HOOK_SECRET, ...), else DATA_DIR/dev-secrets.json,
found as the API token is. Exit 0 when the route answered 2xx.

Examples:
  signup-gate trigger auth0 --decision-hint block
  signup-gate trigger auth0 --post-login --email jane.doe@example.org
  signup-gate trigger stripe --phone "+33 6 00 00 00 03" --json`;

export const registerTrigger = (program: Command): void => {
  program
    .command('trigger')
    .description('send a signed sign-up event of a provider, as the provider would (offline)')
    .argument('<provider>', TRIGGER_PROVIDERS.map((p) => p.name).join(', '))
    .option('--email <email>', 'the email of the sign-up')
    .option('--phone <phone>', 'the phone of the sign-up (with + and the country code)')
    .addOption(
      new Option('--decision-hint <decision>', 'a sandbox identity that yields this decision').choices(
        DECISIONS,
      ),
    )
    .option('--post-login', "auth0: the post-login Action's call (a first social login)")
    .addHelpText('after', PROVIDERS_HELP)
    .action(async (provider: string, options: TriggerOptions, command: Command) => {
      const context = contextOf(command);
      const globals = command.optsWithGlobals<GlobalOptions>();
      const code = await runTrigger(provider, options, {
        json: context.json,
        env: process.env,
        location: () => resolveLocation(globals, process.env),
        target: context.target,
      });
      process.exitCode = code;
    });
};
