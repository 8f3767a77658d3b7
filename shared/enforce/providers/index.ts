/** The provider adapters by source, built from the settings that are present (docs/enforcement.md). */
import type { AccountProvider } from '../port.js';
import type { EnforceableSource } from '../sources.js';
import { type Auth0Settings, createAuth0Provider } from './auth0.js';
import { type ClerkSettings, createClerkProvider } from './clerk.js';
import { type CognitoSettings, createCognitoProvider } from './cognito.js';
import { createStripeProvider, type StripeSettings } from './stripe.js';
import { createSupabaseProvider, type SupabaseSettings } from './supabase.js';

/** Where each provider's API is and how to authenticate; a provider left out cannot be enforced (`not_configured`). */
export interface ProviderSettings {
  auth0?: Auth0Settings | undefined;
  supabase?: SupabaseSettings | undefined;
  cognito?: CognitoSettings | undefined;
  stripe?: StripeSettings | undefined;
  clerk?: ClerkSettings | undefined;
}

export type Providers = Partial<Record<EnforceableSource, AccountProvider>>;

export const createProviders = (settings: ProviderSettings): Providers => ({
  ...(settings.auth0 ? { auth0: createAuth0Provider(settings.auth0) } : {}),
  ...(settings.supabase ? { supabase: createSupabaseProvider(settings.supabase) } : {}),
  ...(settings.cognito ? { cognito: createCognitoProvider(settings.cognito) } : {}),
  ...(settings.stripe ? { stripe: createStripeProvider(settings.stripe) } : {}),
  ...(settings.clerk ? { clerk: createClerkProvider(settings.clerk) } : {}),
});
