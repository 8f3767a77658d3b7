/**
 * Settings that stick. `cdk.json` is where the stack's settings live: a `-c key=value` that differs from it would
 * be lost at the next plain `cdk deploy`, so synth refuses it unless `-c oneOff=<key>` says it is meant for this
 * run only. The names of the stateful resources (stack, table, secrets) are recorded in `stateful-names.json`: a
 * change that would replace them (a new, empty table; a new pepper) stops synth unless `-c confirmReplace=<key>`
 * confirms it. docs/deploy.md, section 2, describes both.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node } from 'constructs';
import {
  ContextError,
  DEFAULT_CONFIG,
  type InfraConfig,
  readInfraConfigOf,
  secretPrefixOf,
} from './context.js';

/** The record of the stateful names, next to `cdk.json`. */
export const NAMES_FILE = 'stateful-names.json';

/** Keys that only ever come from the command line of one synth: never settings, never in `cdk.json`. */
export const CONTROL_KEYS = ['oneOff', 'confirmReplace'] as const;
type ControlKey = (typeof CONTROL_KEYS)[number];

/** The settings whose change replaces a stateful resource, and what the replacement does. */
export const STATEFUL_KEYS = ['stackName', 'tableName', 'secretPrefix'] as const;
export type StatefulKey = (typeof STATEFUL_KEYS)[number];

const REPLACES: Record<StatefulKey, string> = {
  stackName:
    'deploys a second stack (a new, empty table and new secrets) and leaves the deployed one as it is',
  tableName: 'replaces the table with a new, empty one (the old one is kept, detached from the stack)',
  secretPrefix:
    'replaces every secret: a new pepper (stored email and phone hashes stop matching), a new Auth0 hook secret, placeholders for the others',
};

/** The names a deployed stack keeps: `tableName` null when CloudFormation generates it. */
export interface StatefulNames {
  stackName: string;
  tableName: string | null;
  secretPrefix: string;
}

export const statefulNamesOf = (config: InfraConfig): StatefulNames => ({
  stackName: config.stackName,
  tableName: config.tableName ?? null,
  secretPrefix: secretPrefixOf(config),
});

/** What enforcing the settings found: notes for the synth output, and the record to write (if it changes). */
export interface SettingsOutcome {
  warnings: string[];
  infos: string[];
  record: StatefulNames | undefined;
}

const SETTING_KEYS = Object.keys(DEFAULT_CONFIG) as (keyof InfraConfig)[];
/** Context keys of the CDK itself or its CLI that hold no ':' and are not settings of this stack. */
const CDK_KEYS = new Set(['cli-telemetry', 'acknowledged-issue-numbers']);

const show = (value: unknown): string => (value === undefined ? 'unset' : JSON.stringify(value));

/** `a,b` (or a JSON array) → ['a', 'b'], each a member of `allowed`. */
const keyList = <K extends string>(key: ControlKey, raw: unknown, allowed: readonly K[]): K[] => {
  if (raw === undefined || raw === null || raw === '') return [];
  const items = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
  const keys = items.map((item) => item.trim()).filter((item) => item !== '');
  const unknown = keys.filter((item) => !(allowed as readonly string[]).includes(item));
  if (unknown.length > 0) {
    throw new ContextError(
      key,
      `unknown key ${unknown.join(', ')}; expected a comma-separated list of ${allowed.length > 5 ? 'setting keys (those of cdk.json)' : allowed.join(', ')}`,
    );
  }
  return keys as K[];
};

/** Reads the `context` of `cdk.json`. */
export const readCommittedContext = (root: string): Record<string, unknown> => {
  const path = join(root, 'cdk.json');
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { context?: Record<string, unknown> };
  return parsed.context ?? {};
};

/** Reads the record of stateful names; undefined when there is none yet. */
export const readNames = (root: string): StatefulNames | undefined => {
  const path = join(root, NAMES_FILE);
  if (!existsSync(path)) return undefined;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<StatefulNames>;
  if (
    typeof parsed.stackName !== 'string' ||
    typeof parsed.secretPrefix !== 'string' ||
    !(parsed.tableName === null || typeof parsed.tableName === 'string')
  ) {
    throw new ContextError('confirmReplace', `${NAMES_FILE} is damaged: restore it from version control`);
  }
  return { stackName: parsed.stackName, tableName: parsed.tableName, secretPrefix: parsed.secretPrefix };
};

export const writeNames = (root: string, names: StatefulNames): void => {
  const body = {
    '//': `Names of the stack's stateful resources, written by synth: commit this file. A change needs -c confirmReplace=<key> (docs/deploy.md).`,
    ...names,
  };
  writeFileSync(join(root, NAMES_FILE), `${JSON.stringify(body, null, 2)}\n`);
};

export interface SettingsInput {
  /** The effective context (cdk.json, then `-c`), as the app sees it. */
  node: Node;
  /** The effective configuration read from it. */
  config: InfraConfig;
  /** The `context` of the committed `cdk.json`. */
  committed: Record<string, unknown>;
  /** The recorded stateful names, if any. */
  recorded: StatefulNames | undefined;
}

/**
 * Checks the effective settings against `cdk.json` and the recorded stateful names. Throws a ContextError naming the
 * key for a one-off `-c` without `oneOff`, or a stateful change without `confirmReplace`.
 */
export const checkSettings = ({ node, config, committed, recorded }: SettingsInput): SettingsOutcome => {
  for (const key of CONTROL_KEYS) {
    if (committed[key] !== undefined) {
      throw new ContextError(key, 'belongs on the command line of a single synth, never in cdk.json');
    }
  }
  const oneOff = keyList('oneOff', node.tryGetContext('oneOff'), SETTING_KEYS);
  const confirmed = keyList('confirmReplace', node.tryGetContext('confirmReplace'), STATEFUL_KEYS);
  const warnings: string[] = [];
  const infos: string[] = [];

  // ---- one-off values: what cdk.json says is what every deploy deploys -------------------------------
  const base = readInfraConfigOf(committed);
  for (const key of SETTING_KEYS) {
    if (show(config[key]) === show(base[key])) continue;
    if (!oneOff.includes(key)) {
      throw new ContextError(
        key,
        `${show(config[key])} differs from cdk.json (${show(base[key])}), and a -c value is lost at the next deploy: set it in cdk.json, or add -c oneOff=${key} to use it for this run only`,
      );
    }
    warnings.push(
      `one-off setting ${key}=${show(config[key])} (cdk.json: ${show(base[key])}): the next deploy without it reverts it`,
    );
  }
  const known = new Set<string>([...SETTING_KEYS, ...CONTROL_KEYS, ...CDK_KEYS]);
  for (const key of Object.keys(node.getAllContext())) {
    if (!known.has(key) && !key.includes(':') && !key.startsWith('@')) {
      warnings.push(`context key ${key} is not a setting of this stack and is ignored (a typo?)`);
    }
  }

  // ---- stateful names: a change replaces the table or the secrets ------------------------------------
  const names = statefulNamesOf(config);
  if (!recorded) {
    infos.push(`recorded the stateful names in ${NAMES_FILE}: commit it`);
    return { warnings, infos, record: names };
  }
  const changed = STATEFUL_KEYS.filter((key) => names[key] !== recorded[key]);
  const unconfirmed = changed.filter((key) => !confirmed.includes(key));
  const first = unconfirmed[0];
  if (first) {
    const hint =
      first === 'secretPrefix' && config.secretPrefix === undefined
        ? `; to keep the deployed secrets, set "secretPrefix": ${JSON.stringify(recorded.secretPrefix)} in cdk.json`
        : '';
    throw new ContextError(
      first,
      `changing it from ${show(recorded[first] ?? undefined)} (${NAMES_FILE}) to ${show(names[first] ?? undefined)} ${REPLACES[first]}${hint}; to do it on purpose, add -c confirmReplace=${changed.join(',')} (docs/deploy.md, "Renaming")`,
    );
  }
  if (changed.length === 0) return { warnings, infos, record: undefined };
  warnings.push(
    `confirmed: ${changed.map((key) => `${key} ${show(recorded[key] ?? undefined)} → ${show(names[key] ?? undefined)}`).join(', ')}; ${NAMES_FILE} updated: commit it with cdk.json`,
  );
  return { warnings, infos, record: names };
};
