/**
 * What a provider-facing answer follows: the verdict's `action` — what the caller is asked to do, `allow` for a
 * monitored verdict — or, for verdicts that do not carry one yet, its `decision`.
 */
import type { Decision } from '../shared/core/levels.js';
import type { Verdict } from '../shared/core/verdict.js';

/** A verdict as answered: `action` is present once monitor mode is wired. */
export type AnsweredVerdict = Verdict & { action?: Decision };

export const actionOf = (verdict: AnsweredVerdict): Decision => verdict.action ?? verdict.decision;
