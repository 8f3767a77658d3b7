/** The policy file (docs/policy.md): zod schema, defaults, per-source resolution and validation errors that name the field. */

import { DECISIONS, RISK_LEVELS, SOURCES, type Source, TIMEOUT_MODES } from '../core/levels.js';
import type { PolicyMode } from '../core/verdict.js';
import { LIST_ACTIONS, VELOCITY_KEYS, type VelocityKey } from '../core/vocabulary.js';
import { ENFORCEABLE_SOURCES, isEnforceable } from '../enforce/sources.js';
import * as z from '../validation/zod.js';
import { MAX_DOMAIN_LABELS, normaliseDomain, normaliseEmail, normalisePhone } from './identifiers.js';

/**
 * Largest velocity threshold. It bounds the identities a counter item holds (see velocity/counts.ts): above it, a
 * wave of 1,000 signups/s on one key would need more write units than one DynamoDB partition gives.
 */
export const MAX_VELOCITY_THRESHOLD = 1_000;

/** `enforce`: the caller is asked to do what the policy decides; `monitor`: decisions are recorded, the caller allows. */
export const POLICY_MODES = ['enforce', 'monitor'] as const satisfies readonly PolicyMode[];

const level = z.nullable(z.enum(RISK_LEVELS));
const thresholdPair = z.strictObject({ review: z.optional(level), block: z.optional(level) });
const thresholds = z.strictObject({ email: z.optional(thresholdPair), phone: z.optional(thresholdPair) });
/** An object with one optional key per source (every source of SOURCES, no other key). */
const perSource = <T extends z.core.SomeType>(value: T) =>
  z.strictObject(
    Object.fromEntries(SOURCES.map((source) => [source, z.optional(value)])) as Record<
      Source,
      z.ZodMiniOptional<T>
    >,
  );
const list = z.strictObject({
  emails: z.optional(
    z.array(
      z.string().check(
        z.minLength(1),
        z.refine((v) => normaliseEmail(v) !== null, 'not a plausible email address'),
      ),
    ),
  ),
  email_domains: z.optional(
    z.array(
      z.string().check(
        z.minLength(1),
        z.refine(
          (v) => normaliseDomain(v) !== null,
          `not a plausible email domain (at most ${MAX_DOMAIN_LABELS} labels)`,
        ),
      ),
    ),
  ),
  // Phones are checked after merging, against the default_country_code of each source (see parsePolicy).
  phones: z.optional(z.array(z.string().check(z.minLength(1)))),
});
const stripe = z.strictObject({
  write_back: z.optional(z.boolean()),
  block_list_alias: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
});
/** A velocity count threshold: a whole number of distinct identities, or null (off). */
const count = z.nullable(z.number().check(z.int(), z.gte(1), z.lte(MAX_VELOCITY_THRESHOLD)));
const velocityPair = z.strictObject({ review: z.optional(count), block: z.optional(count) });
const velocity = z.strictObject({
  window_minutes: z.optional(z.number().check(z.int(), z.gte(1), z.lte(1440))),
  ip: z.optional(velocityPair),
  mailbox: z.optional(velocityPair),
  email_domain: z.optional(velocityPair),
});
const spend = z.strictObject({
  max_defastra_calls_per_hour: z.optional(z.nullable(z.number().check(z.int(), z.gte(1), z.lte(10_000_000)))),
  on_exhausted: z.optional(z.enum(DECISIONS)),
});
const events = z.strictObject({
  publish: z.optional(
    z
      .array(z.enum(DECISIONS))
      .check(z.refine((list) => new Set(list).size === list.length, 'each decision at most once')),
  ),
});

/** `enforce.<source>`: act on the account at the provider (docs/enforcement.md); true only where an adapter exists. */
const enforce = z.strictObject(
  Object.fromEntries(
    SOURCES.map((source) => [
      source,
      z.optional(
        isEnforceable(source)
          ? z.boolean()
          : z
              .boolean()
              .check(
                z.refine(
                  (on) => !on,
                  `signup-gate cannot act on ${source} accounts (enforcement exists for ${ENFORCEABLE_SOURCES.join(', ')})`,
                ),
              ),
      ),
    ]),
  ) as Record<Source, z.ZodMiniOptional<z.ZodMiniBoolean>>,
);

/** Keys a `sources.<source>` override may name: everything but `version` and `sources` itself. */
const overridable = {
  mode: z.optional(z.enum(POLICY_MODES)),
  thresholds: z.optional(thresholds),
  on_error: z.optional(perSource(z.enum(DECISIONS))),
  defastra_timeout: z.optional(perSource(z.enum(TIMEOUT_MODES))),
  budget_ms: z.optional(perSource(z.number().check(z.int(), z.gte(100), z.lte(60_000)))),
  default_country_code: z.optional(
    z.nullable(
      z.string().check(z.regex(/^\+?[1-9]\d{0,2}$/, 'expected a country calling code such as "33" or "+1"')),
    ),
  ),
  cache_hours: z.optional(z.number().check(z.gte(0), z.lte(24 * 365))),
  retention_days: z.optional(z.number().check(z.int(), z.gte(1), z.lte(3650))),
  allow: z.optional(list),
  block: z.optional(list),
  user_message: z.optional(z.string().check(z.minLength(1), z.maxLength(500))),
  stripe: z.optional(stripe),
  velocity: z.optional(velocity),
};

const overrideSchema = z.strictObject(overridable);

/** Schema of the file as written: every key optional, unknown keys rejected. */
export const policyFileSchema = z.strictObject({
  version: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  ...overridable,
  spend: z.optional(spend),
  events: z.optional(events),
  enforce: z.optional(enforce),
  sources: z.optional(perSource(overrideSchema)),
});

export type PolicyFile = z.infer<typeof policyFileSchema>;
export type PolicyOverride = z.infer<typeof overrideSchema>;

export type Thresholds = {
  review: (typeof RISK_LEVELS)[number] | null;
  block: (typeof RISK_LEVELS)[number] | null;
};
export type Lists = { emails: string[]; email_domains: string[]; phones: string[] };
/** Distinct identities per key and window at which velocity asks for review or block; null = off. */
export type VelocityThresholds = { review: number | null; block: number | null };
export type VelocityPolicy = { window_minutes: number } & Record<VelocityKey, VelocityThresholds>;

/** The fully merged policy for one source: what the decision code reads. */
export interface ResolvedPolicy {
  version: string;
  mode: PolicyMode;
  thresholds: { email: Thresholds; phone: Thresholds };
  on_error: Record<Source, (typeof DECISIONS)[number]>;
  defastra_timeout: Record<Source, (typeof TIMEOUT_MODES)[number]>;
  budget_ms: Record<Source, number>;
  default_country_code: string | null;
  cache_hours: number;
  retention_days: number;
  allow: Lists;
  block: Lists;
  user_message: string;
  stripe: { write_back: boolean; block_list_alias: string };
  velocity: VelocityPolicy;
  spend: { max_defastra_calls_per_hour: number | null; on_exhausted: (typeof DECISIONS)[number] };
  events: { publish: Array<(typeof DECISIONS)[number]> };
  /** Per source: whether a final block is carried out at the provider (docs/enforcement.md). */
  enforce: Record<Source, boolean>;
}

/** A validated policy: the base (file over defaults) plus the raw per-source overrides. */
export interface Policy {
  base: ResolvedPolicy;
  sources: Partial<Record<Source, PolicyOverride>>;
}

/** Freezes a plain JSON-like value and everything inside it. */
const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
};

/** The defaults of docs/policy.md, frozen all the way down (a shallow freeze let nested defaults be changed). */
export const DEFAULT_POLICY: ResolvedPolicy = deepFreeze({
  version: 'default-1',
  mode: 'enforce',
  thresholds: { email: { review: 'medium', block: 'high' }, phone: { review: 'medium', block: 'high' } },
  // The providers' own deadlines set these: Okta waits 3 s, Google 7 s (Firebase), Supabase and Cognito 5 s,
  // Paddle 5 s; Clerk's deliveries come after the user exists and are retried, so they can wait longer.
  on_error: {
    auth0: 'allow',
    stripe: 'review',
    api: 'review',
    cognito: 'allow',
    supabase: 'allow',
    okta: 'allow',
    kratos: 'allow',
    paddle: 'review',
    clerk: 'review',
    firebase: 'allow',
    workos: 'allow',
  },
  defastra_timeout: {
    auth0: 'minimal',
    stripe: 'normal',
    api: 'normal',
    cognito: 'minimal',
    supabase: 'minimal',
    okta: 'minimal',
    kratos: 'minimal',
    paddle: 'normal',
    clerk: 'normal',
    firebase: 'minimal',
    workos: 'minimal',
  },
  budget_ms: {
    auth0: 8000,
    stripe: 5000,
    api: 15000,
    cognito: 4000,
    supabase: 4000,
    okta: 2500,
    kratos: 4000,
    paddle: 5000,
    clerk: 10000,
    firebase: 5000,
    workos: 4000,
  },
  default_country_code: null,
  cache_hours: 24,
  retention_days: 90,
  allow: { emails: [], email_domains: [], phones: [] },
  block: { emails: [], email_domains: [], phones: [] },
  user_message: 'We could not complete your sign-up.',
  stripe: { write_back: false, block_list_alias: 'signup_gate_blocked_emails' },
  velocity: {
    window_minutes: 60,
    ip: { review: 10, block: 30 },
    mailbox: { review: 3, block: 10 },
    email_domain: { review: null, block: null },
  },
  spend: { max_defastra_calls_per_hour: null, on_exhausted: 'review' },
  events: { publish: ['review', 'block'] },
  enforce: {
    auth0: false,
    stripe: false,
    api: false,
    cognito: false,
    supabase: false,
    okta: false,
    kratos: false,
    paddle: false,
    clerk: false,
    firebase: false,
    workos: false,
  },
} satisfies ResolvedPolicy);

/** Thrown for an invalid policy; `field` is the dotted path of the first offending key. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`invalid policy: ${field || '(root)'}: ${detail}`);
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Merges `over` onto `base` key by key (objects recurse; arrays and scalars replace). */
export const deepMerge = <T>(base: T, over: unknown): T => {
  if (!isPlainObject(base) || !isPlainObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    out[key] = deepMerge(out[key], value);
  }
  return out as T;
};

const describeIssue = (issue: z.core.$ZodIssue): PolicyError => {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return new PolicyError([...path, key].join('.'), 'unknown key');
  }
  return new PolicyError(path.join('.'), issue.message);
};

/**
 * Every list phone must normalise under the `default_country_code` of every source it applies to; the
 * field named is the list entry as written (`allow.phones.0` or `sources.stripe.allow.phones.0`).
 */
const checkListPhones = (policy: Policy): void => {
  for (const source of SOURCES) {
    const resolved = resolvePolicy(policy, source);
    for (const name of LIST_ACTIONS) {
      const fromOverride = policy.sources[source]?.[name]?.phones !== undefined;
      resolved[name].phones.forEach((phone, index) => {
        if (normalisePhone(phone, resolved.default_country_code) !== null) return;
        const field = `${fromOverride ? `sources.${source}.` : ''}${name}.phones.${index}`;
        const detail =
          resolved.default_country_code === null
            ? 'not a valid phone number (8 to 15 digits; without default_country_code it needs "+" or "00" and the country code)'
            : `not a valid phone number (8 to 15 digits once default_country_code ${resolved.default_country_code} is applied)`;
        throw new PolicyError(field, fromOverride ? detail : `${detail} for source ${source}`);
      });
    }
  }
};

/** Once merged, a velocity review threshold above its block threshold could never apply: a mistake. */
const checkVelocityOrder = (policy: Policy): void => {
  for (const source of SOURCES) {
    const { velocity } = resolvePolicy(policy, source);
    for (const key of VELOCITY_KEYS) {
      const { review, block } = velocity[key];
      if (review === null || block === null || review <= block) continue;
      const fromOverride = policy.sources[source]?.velocity?.[key] !== undefined;
      throw new PolicyError(
        `${fromOverride ? `sources.${source}.` : ''}velocity.${key}.review`,
        `${review} is above the block threshold ${block}, so it would never apply`,
      );
    }
  }
};

/**
 * Validates a parsed policy document and merges it over the defaults. `undefined` (no file) means
 * defaults; anything but an object (including `null`) is rejected. The result is frozen, so caches keyed
 * by it stay true. Throws PolicyError.
 */
export const parsePolicy = (input: unknown): Policy => {
  const result = policyFileSchema.safeParse(input === undefined ? {} : input);
  if (!result.success) throw describeIssue(result.error.issues[0]!);
  const { sources = {}, ...rest } = result.data;
  const policy: Policy = { base: deepMerge(structuredClone(DEFAULT_POLICY), rest), sources };
  checkListPhones(policy);
  checkVelocityOrder(policy);
  return deepFreeze(policy);
};

/** Parses policy JSON text (e.g. a file's contents). Throws PolicyError, also for bad JSON. */
export const parsePolicyJson = (text: string): Policy => {
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new PolicyError('', `not valid JSON (${(error as Error).message})`);
  }
  return parsePolicy(doc);
};

/** The policy as it applies to one source: base merged with `sources.<source>`. */
export const resolvePolicy = (policy: Policy, source: Source): ResolvedPolicy =>
  deepMerge(policy.base, policy.sources[source]);
