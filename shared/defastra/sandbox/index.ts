/** Public entry of the Defastra sandbox: the server, its identities and its fault settings. */
export { faultsFromEnv, listenFromEnv, SANDBOX_FAULT_ENV } from './env.js';
export type { RateLimitSettings, SandboxEncoding, SandboxFaults, SandboxFaultsInput } from './faults.js';
export { DEFAULT_FAULTS } from './faults.js';
export { DISPOSABLE_SCORE, SANDBOX_SCORES } from './fixtures.js';
export {
  DISPOSABLE_DOMAINS,
  emailOutcome,
  type Outcome,
  PHONE_ERROR_SUFFIXES,
  PHONE_LEVEL_SUFFIXES,
  phoneOutcome,
  SANDBOX_IDENTITIES,
  SANDBOX_KEYS,
} from './identities.js';
export type { Sandbox, SandboxOptions, SandboxStats } from './server.js';
export { startSandbox } from './server.js';
