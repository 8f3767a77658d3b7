/** `signup-gate screen`: screens an email and/or phone now through `POST /screen` and prints the verdict. */
import type { Command } from 'commander';
import { callApi } from '../api.js';
import { contextOf } from '../context.js';
import { UsageError } from '../errors.js';
import { out, printJson } from '../output.js';
import { verdictDetail } from '../render/verdict.js';
import type { WireVerdict } from '../wire.js';

/** An `Idempotency-Key` (docs/api.md): 1 to 255 characters of `[A-Za-z0-9._:-]`. */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,255}$/;

interface ScreenOptions {
  email?: string;
  phone?: string;
  reference?: string;
  ip?: string;
  idempotencyKey?: string;
}

export const registerScreen = (program: Command): void => {
  program
    .command('screen')
    .description('screen an email and/or a phone now (POST /screen)')
    .option('--email <email>', 'the email to check')
    .option('--phone <phone>', 'the phone to check (with + or 00 and the country code)')
    .option('--reference <id>', 'your own id for this user, stored as source_ref (never an email)')
    .option('--ip <ip>', 'the client IP, counted by velocity')
    .option(
      '--idempotency-key <key>',
      'the same key and body give back the same verdict, no second Defastra call',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  signup-gate screen --email jane.doe@example.org --reference user-42\n  signup-gate screen --phone "+33 6 00 00 00 03" --json',
    )
    .action(async (options: ScreenOptions, command: Command) => {
      if (!options.email && !options.phone) throw new UsageError('screen needs --email or --phone (or both)');
      if (options.idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(options.idempotencyKey)) {
        throw new UsageError('--idempotency-key: 1 to 255 characters of A-Z a-z 0-9 . _ : -');
      }
      const context = contextOf(command);
      const body: Record<string, string> = {};
      if (options.email) body.email = options.email;
      if (options.phone) body.phone = options.phone;
      if (options.reference) body.reference = options.reference;
      if (options.ip) body.ip = options.ip;
      const { body: verdict } = await callApi<WireVerdict>(await context.target(), {
        method: 'POST',
        path: '/screen',
        body,
        ...(options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {}),
      });
      if (context.json) printJson(verdict);
      else out(verdictDetail(verdict));
    });
};
