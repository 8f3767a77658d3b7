/**
 * Builds the CDK app: the stack from the typed context, and cdk-nag on everything. `infra/app.ts` (the `cdk.json`
 * entry) calls it with the project root, so the settings are checked against `cdk.json` and the recorded stateful
 * names (infra/settings.ts); the tests call it with their own context and output directory.
 */
import { Annotations, App, type AppProps } from 'aws-cdk-lib';
import { readInfraConfig } from './context.js';
import { applyNag } from './nag.js';
import { checkSettings, readCommittedContext, readNames, writeNames } from './settings.js';
import { SignupGateStack } from './signup-gate-stack.js';

export interface BuiltApp {
  app: App;
  stack: SignupGateStack;
}

export interface BuildOptions {
  /** The directory of `cdk.json` and `stateful-names.json`: when set, the settings are enforced (infra/settings.ts). */
  settingsRoot?: string;
}

export const buildApp = (props: AppProps = {}, options: BuildOptions = {}): BuiltApp => {
  const app = new App(props);
  const config = readInfraConfig(app.node);
  const { settingsRoot } = options;
  const outcome = settingsRoot
    ? checkSettings({
        node: app.node,
        config,
        committed: readCommittedContext(settingsRoot),
        recorded: readNames(settingsRoot),
      })
    : undefined;
  // The stack deploys to the account and region of the credentials the CDK CLI runs with (it sets these two).
  const stack = new SignupGateStack(app, config.stackName, {
    config,
    description: 'signup-gate: fraud screening of Auth0, Stripe, Supabase and Cognito signups with Defastra',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  if (settingsRoot && outcome?.record) writeNames(settingsRoot, outcome.record);
  for (const warning of outcome?.warnings ?? [])
    Annotations.of(stack).addWarningV2('signup-gate:settings', warning);
  for (const info of outcome?.infos ?? []) Annotations.of(stack).addInfo(info);
  applyNag(app);
  return { app, stack };
};
