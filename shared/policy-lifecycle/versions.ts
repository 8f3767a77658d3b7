/**
 * Runtime policy versions (docs/policy-lifecycle.md): the active version, a new one (validated as at start-up, numbered
 * by the server, optionally only over an expected version), a rollback (a new version with an older one's policy), and
 * the audit trail, newest first with the bundled file's version last. Versions are never changed or deleted.
 */
import type {
  PolicyDocument,
  PolicyVersionAnswer,
  PolicyVersionPage,
  PolicyVersionSummary,
} from '../api/policy.js';
import { errorName, NotFoundError, VersionConflictError } from '../core/errors.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { PolicyRuntime } from '../policy/source.js';
import type { PolicyVersionRepository, StoredPolicyVersion } from '../store/ports.js';
import {
  answerOf,
  candidatePolicy,
  decodeVersionsCursor,
  documentOf,
  encodeVersionsCursor,
  fileAnswer,
  fileSummary,
  runtimeSeqOf,
  runtimeVersionName,
  summaryOfStored,
} from './documents.js';

export interface LifecycleDeps {
  versions: PolicyVersionRepository;
  /** The bundled file, and the reload that makes a change govern this process's next screening. */
  runtime: Pick<PolicyRuntime, 'file' | 'reload'>;
  telemetry: Telemetry;
  now: () => number;
}

/** Attempts at numbering a version when concurrent writers keep taking the number (no expected version given). */
const APPEND_ATTEMPTS = 5;

/** The active version: the newest runtime version, else the bundled file's. */
export const activeVersion = async (deps: LifecycleDeps): Promise<PolicyVersionAnswer> => {
  const { active } = await deps.versions.head();
  return active ? answerOf(active) : fileAnswer(deps.runtime.file);
};

/** After a change: this process reads it at once (a failure here only delays it to the next refresh). */
export const reloadAfterChange = async (deps: LifecycleDeps, what: 'active' | 'shadow'): Promise<void> => {
  deps.telemetry.policyChanged(what);
  try {
    await deps.runtime.reload();
  } catch (error) {
    deps.telemetry.warn('policy changed, but this instance could not read it back yet', {
      error: errorName(error),
    });
  }
};

export interface NewVersion {
  /** The policy document as sent (merged over the defaults and validated here). */
  policy: unknown;
  comment: string | null;
  /** Refuse with 409 unless this is the active version. */
  expectedVersion?: string | undefined;
  createdBy: string;
}

/** Stores a new active version `r<n+1>` and answers it; 400 for an invalid policy, 409 `version_conflict`. */
export const applyPolicy = async (deps: LifecycleDeps, request: NewVersion): Promise<PolicyVersionAnswer> => {
  const candidate = candidatePolicy(request.policy);
  for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
    const { active } = await deps.versions.head();
    const current = active?.version ?? deps.runtime.file.base.version;
    if (request.expectedVersion !== undefined && request.expectedVersion !== current) {
      throw new VersionConflictError(
        `the active policy version is ${current}, not ${request.expectedVersion}: read it again, then retry`,
      );
    }
    const seq = (active?.seq ?? 0) + 1;
    const version: StoredPolicyVersion = {
      seq,
      version: runtimeVersionName(seq),
      created_at: new Date(deps.now()).toISOString(),
      created_by: request.createdBy,
      comment: request.comment,
      document: documentOf(candidate, runtimeVersionName(seq)),
    };
    if (await deps.versions.append(version)) {
      deps.telemetry.info('policy version created', { version: version.version, replaces: current });
      await reloadAfterChange(deps, 'active');
      return answerOf(version);
    }
    // Another writer took the number: with an expected version that is a conflict; without, number it again.
  }
  throw new VersionConflictError('the policy kept changing while this version was written: retry');
};

/** A version by name: a runtime version (`r<n>`) or the bundled file's; 404 otherwise. */
export const versionByName = async (deps: LifecycleDeps, name: string): Promise<PolicyVersionAnswer> => {
  const seq = runtimeSeqOf(name);
  const stored = seq === null ? null : await deps.versions.get(seq);
  if (stored) return answerOf(stored);
  if (name === deps.runtime.file.base.version) return fileAnswer(deps.runtime.file);
  throw new NotFoundError(`no policy version ${name}`);
};

/** A new version whose policy is an earlier version's (comment `rollback to <version>`); 404 for an unknown one. */
export const rollbackTo = async (
  deps: LifecycleDeps,
  request: { version: string; createdBy: string },
): Promise<PolicyVersionAnswer> => {
  const target = await versionByName(deps, request.version);
  const { version: _version, ...policy } = target.policy as PolicyDocument & { version?: unknown };
  return applyPolicy(deps, {
    policy,
    comment: `rollback to ${request.version}`,
    createdBy: request.createdBy,
  });
};

/** One page of the audit trail: runtime versions newest first, then the bundled file's version. */
export const listVersions = async (
  deps: LifecycleDeps,
  query: { limit: number; cursor?: string | undefined },
): Promise<PolicyVersionPage> => {
  const before = query.cursor === undefined ? undefined : decodeVersionsCursor(query.cursor);
  const stored = await deps.versions.list({
    ...(before === undefined ? {} : { before }),
    limit: query.limit,
  });
  const items: PolicyVersionSummary[] = stored.map(summaryOfStored);
  const last = stored.at(-1);
  if (stored.length === query.limit && last) {
    return { items, next_cursor: encodeVersionsCursor(last.seq) };
  }
  return { items: [...items, fileSummary(deps.runtime.file)], next_cursor: null };
};
