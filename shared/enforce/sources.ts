/** The sources whose accounts signup-gate can act on through the provider's own API (docs/enforcement.md). */
import type { Source } from '../core/levels.js';

/** One adapter each in shared/enforce/providers/; `enforce.<source>` may be true for these only. */
export const ENFORCEABLE_SOURCES = ['auth0', 'supabase', 'cognito', 'stripe', 'clerk'] as const;
export type EnforceableSource = (typeof ENFORCEABLE_SOURCES)[number];

export const isEnforceable = (source: Source): source is EnforceableSource =>
  (ENFORCEABLE_SOURCES as readonly string[]).includes(source);
