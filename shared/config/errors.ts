/** The error thrown for invalid configuration (local server and Lambda); its message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
