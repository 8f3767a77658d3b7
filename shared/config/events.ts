/**
 * The `verdict-events` function's configuration: the bus to publish to, the policy (which decisions to publish) and
 * the table whose statistics counters it adds (docs/capacity.md).
 */
import type { Policy } from '../policy/schema.js';
import * as z from '../validation/zod.js';
import { parseEnv } from './errors.js';
import { loadBundledPolicy } from './policy-file.js';

const eventsEnv = z.object({
  EVENT_BUS_NAME: z.string().check(z.minLength(1), z.maxLength(256)),
  TABLE_NAME: z.string().check(z.minLength(3)),
});

export interface EventsConfig {
  busName: string;
  tableName: string;
  policy: Policy;
}

export const loadEventsConfig = (env: NodeJS.ProcessEnv): EventsConfig => {
  const parsed = parseEnv(eventsEnv, env);
  return { busName: parsed.EVENT_BUS_NAME, tableName: parsed.TABLE_NAME, policy: loadBundledPolicy(env) };
};
