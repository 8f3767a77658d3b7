/**
 * The route's answer to the Firebase forwarder (docs/firebase.md): `200` with the verdict, its `action` (what
 * the forwarder must do: it throws `permission-denied` on `block`) and the policy's `user_message`. Pure.
 */
import type { Decision } from '../../shared/core/levels.js';
import { type AnsweredVerdict, actionOf } from '../provider-answer.js';

export type FirebaseAnswer = AnsweredVerdict & { action: Decision; user_message: string };

export const firebaseAnswer = (
  verdict: AnsweredVerdict,
  userMessage: string,
): { status: 200; body: FirebaseAnswer } => {
  const action = actionOf(verdict);
  return { status: 200, body: { ...verdict, action, user_message: userMessage } };
};
