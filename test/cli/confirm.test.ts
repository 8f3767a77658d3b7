/** confirm: yes only for `y`/`yes` typed on a terminal; a pipe is never asked (usage error naming the flag). */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { confirm } from '../../cli/confirm.js';
import { UsageError } from '../../cli/errors.js';

const terminal = (typed: string | null) => {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const output = new PassThrough();
  let shown = '';
  output.on('data', (chunk: Buffer) => {
    shown += chunk.toString('utf8');
  });
  if (typed === null) input.end();
  else input.write(typed);
  return { io: { input, output }, shown: () => shown };
};

describe('confirm', () => {
  it.each([
    ['y\n', true],
    ['YES\n', true],
    ['n\n', false],
    ['\n', false],
    ['yeah\n', false],
  ])('answers %j with %s', async (typed, expected) => {
    const t = terminal(typed);
    await expect(confirm('Apply?', '--yes', t.io)).resolves.toBe(expected);
    expect(t.shown()).toBe('Apply? [y/N] ');
  });

  it('treats a closed terminal as no', async () => {
    await expect(confirm('Apply?', '--yes', terminal(null).io)).resolves.toBe(false);
  });

  it('refuses to ask a pipe, naming the flag', async () => {
    const input = new PassThrough();
    const run = confirm('Apply r1?', '--yes', { input, output: new PassThrough() });
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(
      'Apply r1: not confirmed (stdin is not a terminal); add --yes to go ahead',
    );
  });
});
