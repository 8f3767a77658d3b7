/** The policy module's public API: levels, the policy file, identifiers, lists and the decision. */
export {
  type DecideResult,
  decide,
  type IdentifierInput,
  type IdentifierKind,
  identifierDecision,
  resolveForSource,
} from './decide.js';
export {
  emailDomain,
  maskEmail,
  maskPhone,
  normaliseDomain,
  normaliseEmail,
  normalisePhone,
} from './identifiers.js';
export {
  DECISIONS,
  type Decision,
  decisionRank,
  isRiskLevel,
  levelRank,
  mostSevere,
  RISK_LEVELS,
  type RiskLevel,
  SOURCES,
  type Source,
  TIMEOUT_MODES,
  type TimeoutMode,
} from './levels.js';
export { type ListMatch, type ListName, matchLists } from './lists.js';
export {
  ALL_SOURCES,
  DEFAULT_POLICY,
  deepMerge,
  type Lists,
  type Policy,
  PolicyError,
  type PolicyFile,
  type PolicyOverride,
  parsePolicy,
  parsePolicyJson,
  policyFileSchema,
  type ResolvedPolicy,
  resolvePolicy,
  type Thresholds,
} from './schema.js';
