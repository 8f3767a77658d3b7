/** The `verdict-events` function's configuration: the bus to publish to and the policy (which decisions to publish). */
import type { Policy } from '../policy/schema.js';
import * as z from '../validation/zod.js';
import { parseEnv } from './errors.js';
import { loadBundledPolicy } from './policy-file.js';

const eventsEnv = z.object({
  EVENT_BUS_NAME: z.string().check(z.minLength(1), z.maxLength(256)),
});

export interface EventsConfig {
  busName: string;
  policy: Policy;
}

export const loadEventsConfig = (env: NodeJS.ProcessEnv): EventsConfig => ({
  busName: parseEnv(eventsEnv, env).EVENT_BUS_NAME,
  policy: loadBundledPolicy(env),
});
