/**
 * Paddle's answers, as Stripe's (docs/paddle.md): `200` with the verdict, the event id and whether this
 * delivery repeated one already screened; `200 { ignored: true, event_id, event_type }` for what is not
 * screened. Paddle only reads the status. Pure.
 */
import type { Verdict } from '../../shared/core/verdict.js';
import type { PaddleEvent } from './event.js';

export type PaddleScreened = Verdict & { event_id: string; duplicate: boolean };
export interface PaddleIgnored {
  ignored: true;
  event_id: string;
  event_type: string;
}

export const paddleAnswer = (
  verdict: Verdict,
  event: PaddleEvent,
  duplicate: boolean,
): { status: 200; body: PaddleScreened } => ({
  status: 200,
  body: { ...verdict, event_id: event.event_id, duplicate },
});

export const paddleIgnored = (event: PaddleEvent): { status: 200; body: PaddleIgnored } => ({
  status: 200,
  body: { ignored: true, event_id: event.event_id, event_type: event.event_type },
});
