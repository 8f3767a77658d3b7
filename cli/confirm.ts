/** Asking the person at the terminal before a change: yes only on `y` or `yes`; never asks a pipe (it refuses instead). */
import { createInterface } from 'node:readline';
import { UsageError } from './errors.js';

export interface ConfirmIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

/**
 * Asks `question` (`[y/N]` added) on a terminal and resolves with the answer. When stdin is not a terminal there is
 * nobody to ask: it throws a usage error naming `flag`, the way to say yes in advance.
 */
export const confirm = async (
  question: string,
  flag: string,
  io: ConfirmIo = { input: process.stdin, output: process.stderr },
): Promise<boolean> => {
  if (!io.input.isTTY) {
    throw new UsageError(
      `${question.replace(/\?$/, '')}: not confirmed (stdin is not a terminal); add ${flag} to go ahead`,
    );
  }
  const lines = createInterface({ input: io.input, output: io.output, terminal: false });
  try {
    io.output.write(`${question} [y/N] `);
    const answer = await new Promise<string>((resolve) => {
      lines.once('line', resolve);
      lines.once('close', () => resolve(''));
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    lines.close();
  }
};
