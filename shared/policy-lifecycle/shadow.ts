/**
 * The shadow policy (docs/policy-lifecycle.md): set (`s<n>`, numbered by the server, never reused), read, cleared.
 * While one is set, every screening is also decided under it; promoting it is a new version with its content.
 */
import type { PolicyVersionAnswer } from '../api/policy.js';
import { NotFoundError, VersionConflictError } from '../core/errors.js';
import type { StoredPolicyVersion } from '../store/ports.js';
import { answerOf, candidatePolicy, documentOf, shadowVersionName } from './documents.js';
import { type LifecycleDeps, reloadAfterChange } from './versions.js';

const SET_ATTEMPTS = 5;

/** Sets (replaces) the shadow policy and answers it; 400 for an invalid policy. */
export const setShadow = async (
  deps: LifecycleDeps,
  request: { policy: unknown; comment: string | null; createdBy: string },
): Promise<PolicyVersionAnswer> => {
  const candidate = candidatePolicy(request.policy);
  for (let attempt = 0; attempt < SET_ATTEMPTS; attempt++) {
    const { shadowSeq } = await deps.versions.head();
    const seq = shadowSeq + 1;
    const shadow: StoredPolicyVersion = {
      seq,
      version: shadowVersionName(seq),
      created_at: new Date(deps.now()).toISOString(),
      created_by: request.createdBy,
      comment: request.comment,
      document: documentOf(candidate, shadowVersionName(seq)),
    };
    if (await deps.versions.putShadow(shadow)) {
      deps.telemetry.info('shadow policy set', { version: shadow.version });
      await reloadAfterChange(deps, 'shadow');
      return answerOf(shadow);
    }
  }
  throw new VersionConflictError('the shadow policy kept changing while this one was set: retry');
};

/** The shadow policy; 404 when none is set. */
export const currentShadow = async (deps: LifecycleDeps): Promise<PolicyVersionAnswer> => {
  const { shadow } = await deps.versions.head();
  if (!shadow) throw new NotFoundError('no shadow policy is set');
  return answerOf(shadow);
};

/** Clears the shadow policy; 404 when none is set. */
export const clearShadow = async (deps: LifecycleDeps): Promise<void> => {
  if (!(await deps.versions.clearShadow())) throw new NotFoundError('no shadow policy is set');
  deps.telemetry.info('shadow policy cleared');
  await reloadAfterChange(deps, 'shadow');
};
