/** The providers `signup-gate trigger` knows, by name: adding one is a module beside these and a line here. */
import { auth0Trigger } from './auth0.js';
import { clerkTrigger } from './clerk.js';
import { cognitoTrigger } from './cognito.js';
import { firebaseTrigger } from './firebase.js';
import { kratosTrigger } from './kratos.js';
import { oktaTrigger } from './okta.js';
import { paddleTrigger } from './paddle.js';
import type { TriggerProvider } from './provider.js';
import { stripeTrigger } from './stripe.js';
import { supabaseTrigger } from './supabase.js';
import { workosTrigger } from './workos.js';

export const TRIGGER_PROVIDERS: readonly TriggerProvider[] = [
  auth0Trigger,
  stripeTrigger,
  supabaseTrigger,
  cognitoTrigger,
  oktaTrigger,
  kratosTrigger,
  paddleTrigger,
  clerkTrigger,
  firebaseTrigger,
  workosTrigger,
];

export const triggerProvider = (name: string): TriggerProvider | undefined =>
  TRIGGER_PROVIDERS.find((p) => p.name === name);
