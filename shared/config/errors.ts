/** Configuration errors (local server and Lambda) and the environment parsing that raises them. */
import * as z from '../validation/zod.js';

/** The error thrown for invalid configuration; its message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses `env` with `schema`, or throws a ConfigError naming the first bad variable. */
export const parseEnv = <T extends z.core.$ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> => {
  const result = z.safeParse(schema, env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ConfigError(`invalid environment: ${issue.path.join('.')}: ${issue.message}`);
};
