/** `signup-gate console`: the local console server (placeholder until the console lands). */
import type { ApiTarget } from '../target.js';

export interface ConsoleOptions {
  target: ApiTarget;
  /** Default 4000; 0 picks a free port. */
  port: number;
  /** Open the login URL in the default browser. */
  open: boolean;
  /** Where the one-time login URL and status lines are printed. */
  log: (line: string) => void;
}

/** Serves the console until the process is stopped. */
export const runConsole = async (_options: ConsoleOptions): Promise<never> => {
  throw new Error('the review console is not built yet');
};
