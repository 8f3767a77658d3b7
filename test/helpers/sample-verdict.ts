/** A stored-looking verdict for tests of the provider answers (pure functions of a verdict). */

import type { Decision, Source } from '../../shared/core/levels.js';
import { type Verdict, withVerdictDefaults } from '../../shared/core/verdict.js';

export const sampleVerdict = (source: Source, decision: Decision, extra: Partial<Verdict> = {}): Verdict =>
  withVerdictDefaults({
    verdict_id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0',
    created_at: '2026-11-26T05:00:00.000Z',
    source,
    source_ref: 'ref_1',
    subject_ref: null,
    decision,
    reasons:
      decision === 'allow'
        ? []
        : [{ code: 'email_risk', message: `email risk_level high reaches the ${decision} threshold` }],
    degraded: false,
    email: { masked: 'j***@example.com', risk_level: decision === 'allow' ? 'low' : 'high' },
    phone: null,
    policy_version: 'default-1',
    review: null,
    ...extra,
  });

export const MESSAGE = 'We could not complete your sign-up.';
