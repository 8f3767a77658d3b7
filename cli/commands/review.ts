/** `signup-gate review <id> approve|reject`: records an operator's review (`POST /verdicts/{id}/review`, docs/reviews.md). */
import { Argument, type Command } from 'commander';
import { REVIEW_OUTCOMES, type ReviewOutcome } from '../../shared/core/vocabulary.js';
import { callApi, segment } from '../api.js';
import { contextOf } from '../context.js';
import { UsageError } from '../errors.js';
import { out, pc, printJson } from '../output.js';
import { verdictDetail } from '../render/verdict.js';
import type { WireVerdict } from '../wire.js';

export const MAX_NOTE = 500;

interface ReviewOptions {
  note?: string;
  addToList?: boolean;
}

export const registerReview = (program: Command): void => {
  program
    .command('review')
    .description('approve or reject a verdict (replaces an earlier review)')
    .argument('<id>', 'the verdict id')
    .addArgument(new Argument('<outcome>', 'approve or reject').choices(REVIEW_OUTCOMES))
    .option('--note <text>', `why (at most ${MAX_NOTE} characters)`)
    .option(
      '--add-to-list',
      "also add the verdict's email and phone to the runtime lists (allow on approve, block on reject)",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  signup-gate review 01JDX3K8Y0Q5W6Z8N2M4P6R8T0 approve --note "known customer"\n  signup-gate review 01JDX3K8Y0Q5W6Z8N2M4P6R8T0 reject --add-to-list',
    )
    .action(async (id: string, outcome: ReviewOutcome, options: ReviewOptions, command: Command) => {
      if (options.note !== undefined && options.note.length > MAX_NOTE) {
        throw new UsageError(`--note: at most ${MAX_NOTE} characters`);
      }
      const context = contextOf(command);
      const body: Record<string, unknown> = { outcome };
      if (options.note !== undefined) body.note = options.note;
      if (options.addToList) body.add_to_list = true;
      const { body: verdict } = await callApi<WireVerdict>(await context.target(), {
        method: 'POST',
        path: `/verdicts/${segment(id)}/review`,
        body,
      });
      if (context.json) return printJson(verdict);
      out(verdictDetail(verdict));
      if (options.addToList) {
        out(
          pc.dim(
            `list entries (${outcome === 'approve' ? 'allow' : 'block'}) requested for its email and phone: see signup-gate lists list`,
          ),
        );
      }
    });
};
