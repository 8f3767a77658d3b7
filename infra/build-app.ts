/**
 * Builds the CDK app: the stack from the typed context, and cdk-nag on everything. `infra/app.ts`
 * (the `cdk.json` entry) calls it; the tests call it with their own context and output directory.
 */
import { App, type AppProps } from 'aws-cdk-lib';
import { readInfraConfig } from './context.js';
import { applyNag } from './nag.js';
import { SignupGateStack } from './signup-gate-stack.js';

export interface BuiltApp {
  app: App;
  stack: SignupGateStack;
}

export const buildApp = (props: AppProps = {}): BuiltApp => {
  const app = new App(props);
  const config = readInfraConfig(app.node);
  const stack = new SignupGateStack(app, config.stackName, {
    config,
    description: 'signup-gate: fraud screening of Auth0, Stripe, Supabase and Cognito signups with Defastra',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  applyNag(app);
  return { app, stack };
};
