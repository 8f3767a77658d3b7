/** The command tree of `signup-gate` (commander): global target and output options, one module per command. */
import { Command, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { registerBackfill } from './commands/backfill.js';
import { registerConsole } from './commands/console.js';
import { registerLabel } from './commands/label.js';
import { registerLists } from './commands/lists.js';
import { registerPolicy } from './commands/policy.js';
import { registerReplay } from './commands/replay.js';
import { registerReview } from './commands/review.js';
import { registerScreen } from './commands/screen.js';
import { registerStats } from './commands/stats.js';
import { registerTrigger } from './commands/trigger.js';
import { registerVerdicts } from './commands/verdicts.js';
import { AUTH_MODES, DEFAULT_URL } from './resolve-target.js';

const TARGET_HELP = `
Target: --url (default ${DEFAULT_URL}, or SIGNUP_GATE_URL) or --stack (or SIGNUP_GATE_STACK).
A local URL uses the bearer token from API_TOKEN or DATA_DIR/dev-secrets.json (without DATA_DIR:
./.data, else the project's own .data); a stack or any other URL is signed with SigV4 (standard AWS
credential chain and region). Run it inside the project: npx signup-gate, or npm run cli -- in any of its folders.
Exit codes: 0 ok, 1 failure, 2 usage.`;

/** Builds the program; `outputError` makes every usage error one line on stderr. */
export const createProgram = (): Command => {
  const program = new Command('signup-gate')
    .description(
      'The signup-gate operator CLI: verdicts, reviews, labels, lists, stats, policy, what-if, backfill, trigger.',
    )
    .version(pkg.version)
    .option('--url <url>', `the API base URL (default: ${DEFAULT_URL})`)
    .option('--stack <name>', 'target a deployed stack (its ApiUrl output)')
    .addOption(
      new Option('--auth <mode>', 'auto: bearer if the URL is local, else SigV4')
        .choices(AUTH_MODES)
        .default('auto'),
    )
    .option('--region <region>', 'AWS region (default: from the URL, AWS_REGION, profile)')
    .option('--profile <name>', 'AWS profile (default: AWS_PROFILE)')
    .option('--json', 'print JSON (the API answer) instead of tables')
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      outputError: (text, write) =>
        write(
          `signup-gate: ${text
            .trim()
            .replace(/^error: /, '')
            .replace(/\s*\n\s*/g, ' ')}\n`,
        ),
    })
    .addHelpText('after', TARGET_HELP);
  registerScreen(program);
  registerVerdicts(program);
  registerReview(program);
  registerLabel(program);
  registerLists(program);
  registerStats(program);
  registerPolicy(program);
  registerReplay(program);
  registerBackfill(program);
  registerConsole(program);
  registerTrigger(program);
  return program;
};
