/**
 * `signup-gate policy show|versions|diff|apply|rollback` and `policy shadow set|show|clear`: the policy at runtime
 * (`GET|PUT /policy`, `/policy/versions`, `POST /policy/rollback`, `/policy/shadow`, docs/policy-lifecycle.md).
 * A file is validated locally first with the policy schema, so a bad one fails with the field named.
 */
import type { Command } from 'commander';
import type { PolicyVersionAnswer, PolicyVersionSummary } from '../../shared/api/policy.js';
import { diffValue, type PolicyChange, policyDiff } from '../../shared/policy-lifecycle/diff.js';
import { callApi, queryString, segment } from '../api.js';
import { confirm } from '../confirm.js';
import { type CommandContext, contextOf } from '../context.js';
import { ApiCallError, CliError, UsageError } from '../errors.js';
import { err, fields, out, pc, printJson, shortTime, table } from '../output.js';
import type { ApiTarget } from '../target.js';
import { wholeNumber } from '../when.js';
import type { WirePage } from '../wire.js';
import { readCandidate } from './replay.js';

/** At most this many characters of comment (the API's limit). */
export const MAX_COMMENT = 500;

/** The candidate file as the server would store it: merged over the defaults, under the name `version`. */
const effectiveDocument = async (
  path: string,
): Promise<{ sent: unknown; effective: Record<string, unknown> }> => {
  const sent = await readCandidate(path);
  const { parsePolicy } = await import('../../shared/policy/schema.js');
  const { documentOf } = await import('../../shared/policy-lifecycle/documents.js');
  return { sent, effective: documentOf(parsePolicy(sent)) };
};

const active = async (target: ApiTarget): Promise<PolicyVersionAnswer> =>
  (await callApi<PolicyVersionAnswer>(target, { method: 'GET', path: '/policy' })).body;

/** One line per changed key: `path: before -> after`. */
const diffLines = (changes: PolicyChange[]): string =>
  changes
    .map((c) => `${c.path}: ${pc.red(diffValue(c.before))} -> ${pc.green(diffValue(c.after))}`)
    .join('\n');

const printDiff = (from: string, changes: PolicyChange[]): void => {
  if (changes.length === 0) {
    out(`no change from the active version ${from}`);
    return;
  }
  out(`${changes.length} change${changes.length === 1 ? '' : 's'} from the active version ${from}:`);
  out(diffLines(changes));
};

const versionFields = (v: PolicyVersionAnswer): string =>
  fields([
    ['version', v.version],
    ['created', v.created_at ? `${shortTime(v.created_at)} by ${v.created_by}` : `by ${v.created_by}`],
    ['comment', v.comment],
  ]);

const printVersion = (context: CommandContext, v: PolicyVersionAnswer): void => {
  if (context.json) {
    printJson(v);
    return;
  }
  out(versionFields(v));
  out();
  out(JSON.stringify(v.policy, null, 2));
};

const checkComment = (comment: string | undefined): void => {
  if (comment !== undefined && comment.length > MAX_COMMENT)
    throw new UsageError(`--comment: at most ${MAX_COMMENT} characters`);
};

const registerShow = (policy: Command): void => {
  policy
    .command('show')
    .description('show the active version and its effective policy (GET /policy)')
    .argument('[version]', 'a version of the audit trail instead (GET /policy/versions/{version})')
    .action(async (version: string | undefined, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const target = await context.target();
      const path = version === undefined ? '/policy' : `/policy/versions/${segment(version)}`;
      printVersion(context, (await callApi<PolicyVersionAnswer>(target, { method: 'GET', path })).body);
    });
};

interface VersionsOptions {
  limit?: number;
  cursor?: string;
  all?: boolean;
}

const registerVersions = (policy: Command): void => {
  policy
    .command('versions')
    .description('the audit trail, newest first, the bundled file last (GET /policy/versions)')
    .option('--limit <n>', 'page size, 1 to 100', wholeNumber(1, 100))
    .option('--cursor <cursor>', 'the next_cursor of the previous page')
    .option('--all', 'follow next_cursor until the last page')
    .action(async (options: VersionsOptions, command: Command) => {
      const context = contextOf(command);
      const target = await context.target();
      const items: PolicyVersionSummary[] = [];
      let cursor = options.cursor;
      let next: string | null = null;
      do {
        const path = `/policy/versions${queryString({
          limit: options.limit ?? (options.all ? 100 : undefined),
          cursor,
        })}`;
        const { body } = await callApi<WirePage<PolicyVersionSummary>>(target, { method: 'GET', path });
        items.push(...body.items);
        next = body.next_cursor;
        cursor = next ?? undefined;
      } while (options.all && next);
      if (context.json) return printJson({ items, next_cursor: next });
      out(
        table(
          ['VERSION', 'CREATED', 'BY', 'COMMENT'],
          items.map((v) => [v.version, shortTime(v.created_at), v.created_by, v.comment]),
        ),
      );
      if (next) out(pc.dim(`more: add --cursor ${next} (or --all)`));
    });
};

const registerDiff = (policy: Command): void => {
  policy
    .command('diff')
    .description('what a policy file changes from the active version (GET /policy)')
    .argument('<file>', 'the policy file (validated locally first)')
    .action(async (file: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const { effective } = await effectiveDocument(file);
      const current = await active(await context.target());
      const changes = policyDiff(current.policy, effective);
      if (context.json) return printJson({ from: current.version, changes });
      printDiff(current.version, changes);
    });
};

interface ApplyOptions {
  comment?: string;
  yes?: boolean;
}

const registerApply = (policy: Command): void => {
  policy
    .command('apply')
    .description('make a policy file the active version (PUT /policy), after showing the diff')
    .argument('<file>', 'the policy file (validated locally first)')
    .option('--comment <text>', `why (at most ${MAX_COMMENT} characters; kept in the audit trail)`)
    .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .addHelpText(
      'after',
      '\nThe new version governs every screening that starts after it returns (other instances within 30 s).\n' +
        'If someone else changed the policy since the diff was shown, nothing is applied (409 version_conflict).\n\n' +
        'Example:\n  signup-gate policy apply policy.candidate.json --comment "review medium phones"',
    )
    .action(async (file: string, options: ApplyOptions, command: Command) => {
      checkComment(options.comment);
      const context = contextOf(command);
      const { sent, effective } = await effectiveDocument(file);
      const target = await context.target();
      const current = await active(target);
      const changes = policyDiff(current.policy, effective);
      if (!options.yes) {
        err(changes.length === 0 ? `no change from ${current.version}` : diffLines(changes));
        if (!(await confirm(`Replace the active version ${current.version} with ${file}?`, '--yes'))) {
          throw new CliError('not applied');
        }
      }
      const body: Record<string, unknown> = { policy: sent, expected_version: current.version };
      if (options.comment !== undefined) body.comment = options.comment;
      const created = (await callApi<PolicyVersionAnswer>(target, { method: 'PUT', path: '/policy', body }))
        .body;
      if (context.json) return printJson(created);
      out(`applied ${created.version} (replaces ${current.version})`);
      out(versionFields(created));
    });
};

const registerRollback = (policy: Command): void => {
  policy
    .command('rollback')
    .description("make an earlier version's policy active again, as a new version (POST /policy/rollback)")
    .argument('<version>', 'a version of the audit trail (policy versions)')
    .action(async (version: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const created = (
        await callApi<PolicyVersionAnswer>(await context.target(), {
          method: 'POST',
          path: '/policy/rollback',
          body: { version },
        })
      ).body;
      if (context.json) return printJson(created);
      out(`rolled back to ${version} as ${created.version}`);
      out(versionFields(created));
    });
};

interface ShadowSetOptions {
  comment?: string;
}

const registerShadow = (policy: Command): void => {
  const shadow = policy
    .command('shadow')
    .description('a shadow policy: every screening also decided under it, never enforced: set, show, clear');
  shadow
    .command('set')
    .description('set (replace) the shadow policy (PUT /policy/shadow)')
    .argument('<file>', 'the policy file (validated locally first)')
    .option('--comment <text>', `why (at most ${MAX_COMMENT} characters)`)
    .action(async (file: string, options: ShadowSetOptions, command: Command) => {
      checkComment(options.comment);
      const context = contextOf(command);
      const body: Record<string, unknown> = { policy: await readCandidate(file) };
      if (options.comment !== undefined) body.comment = options.comment;
      const created = (
        await callApi<PolicyVersionAnswer>(await context.target(), {
          method: 'PUT',
          path: '/policy/shadow',
          body,
        })
      ).body;
      if (context.json) return printJson(created);
      out(`shadow ${created.version} set: screenings are also decided under it (see stats)`);
    });
  shadow
    .command('show')
    .description('show the shadow policy (GET /policy/shadow)')
    .action(async (_options: unknown, command: Command) => {
      const context = contextOf(command);
      try {
        const { body } = await callApi<PolicyVersionAnswer>(await context.target(), {
          method: 'GET',
          path: '/policy/shadow',
        });
        printVersion(context, body);
      } catch (error) {
        if (!(error instanceof ApiCallError && error.status === 404)) throw error;
        if (context.json) printJson(null);
        else out('no shadow policy is set');
      }
    });
  shadow
    .command('clear')
    .description('stop deciding under the shadow policy (DELETE /policy/shadow)')
    .action(async (_options: unknown, command: Command) => {
      const context = contextOf(command);
      await callApi<null>(await context.target(), { method: 'DELETE', path: '/policy/shadow' });
      if (context.json) printJson({ cleared: true });
      else out('shadow policy cleared');
    });
};

export const registerPolicy = (program: Command): void => {
  const policy = program
    .command('policy')
    .description('the policy at runtime: show, versions, diff, apply, rollback, shadow');
  registerShow(policy);
  registerVersions(policy);
  registerDiff(policy);
  registerApply(policy);
  registerRollback(policy);
  registerShadow(policy);
};
