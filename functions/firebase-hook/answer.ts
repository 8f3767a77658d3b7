/**
 * The route's answer to the Firebase forwarder (docs/firebase.md): `200` with the verdict, its `action` (what
 * the forwarder must do: it throws `permission-denied` on `block`) and the policy's `user_message`. Pure.
 */
import type { Verdict } from '../../shared/core/verdict.js';

export type FirebaseAnswer = Verdict & { user_message: string };

export const firebaseAnswer = (
  verdict: Verdict,
  userMessage: string,
): { status: 200; body: FirebaseAnswer } => {
  return { status: 200, body: { ...verdict, user_message: userMessage } };
};
