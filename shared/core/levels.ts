/** Risk levels, decisions and sources, with their orders: the vocabulary every other module speaks. */

export const RISK_LEVELS = ['low', 'medium', 'high', 'extreme'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const DECISIONS = ['allow', 'review', 'block'] as const;
export type Decision = (typeof DECISIONS)[number];

export const SOURCES = [
  'auth0',
  'stripe',
  'api',
  'cognito',
  'supabase',
  'okta',
  'kratos',
  'paddle',
  'clerk',
  'firebase',
  'workos',
] as const;
export type Source = (typeof SOURCES)[number];

export const TIMEOUT_MODES = ['minimal', 'normal', 'extensive'] as const;
export type TimeoutMode = (typeof TIMEOUT_MODES)[number];

/** Position of a level in `low < medium < high < extreme`. */
export const levelRank = (level: RiskLevel): number => RISK_LEVELS.indexOf(level);

/** Position of a decision in `allow < review < block`. */
export const decisionRank = (decision: Decision): number => DECISIONS.indexOf(decision);

/** The more severe of two decisions. */
export const mostSevere = (a: Decision, b: Decision): Decision =>
  decisionRank(a) >= decisionRank(b) ? a : b;

export const isRiskLevel = (value: unknown): value is RiskLevel =>
  typeof value === 'string' && (RISK_LEVELS as readonly string[]).includes(value);
