/** What every command reads from the global options: `--json` and the target (resolved on first use). */
import type { Command } from 'commander';
import { type AuthMode, resolveTarget } from './resolve-target.js';
import type { ApiTarget } from './target.js';

export interface GlobalOptions {
  url?: string;
  stack?: string;
  auth?: AuthMode;
  region?: string;
  profile?: string;
  json?: boolean;
}

export interface CommandContext {
  json: boolean;
  target(): Promise<ApiTarget>;
}

/** The context of the command being run (its own options merged with the program's). */
export const contextOf = (command: Command): CommandContext => {
  const options = command.optsWithGlobals<GlobalOptions>();
  let target: Promise<ApiTarget> | undefined;
  return {
    json: options.json === true,
    target: () => {
      target ??= resolveTarget(options, process.env);
      return target;
    },
  };
};
