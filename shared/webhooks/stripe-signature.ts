/**
 * The official `stripe` library's webhook signature check without its API client (docs/stripe.md): the library's own
 * Webhooks module and Node crypto provider, so a function that only verifies deliveries does not load every API
 * resource of the package. The package's exports map publishes only its root entry, so these two modules are reached
 * by file path (esbuild bundles them like any other file; Node and tsx load them as they are).
 */
import { timingSafeEqual } from 'node:crypto';
import { NodeCryptoProvider } from '../../node_modules/stripe/esm/crypto/NodeCryptoProvider.js';
import type { PlatformFunctions } from '../../node_modules/stripe/esm/platform/PlatformFunctions.js';
import { createWebhooks } from '../../node_modules/stripe/esm/Webhooks.js';

/** Equal-length strings compared in constant time (the library's own comparison does the same). */
const secureCompare = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * The two platform functions the Webhooks module calls: the signature comparison and its default crypto provider.
 * The rest of PlatformFunctions (HTTP client, emitter, user agent) is never reached by `signature.verifyHeader`.
 */
const platform = {
  secureCompare,
  createDefaultCryptoProvider: () => new NodeCryptoProvider(),
} as unknown as PlatformFunctions;

/** `Stripe.webhooks.signature` of the official library: `verifyHeader` and its relatives. */
export const stripeSignature = (() => {
  const { signature } = createWebhooks(platform);
  if (signature === null) throw new Error('the stripe library has no webhook signature helpers');
  return signature;
})();
