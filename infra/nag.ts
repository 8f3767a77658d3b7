/**
 * cdk-nag (v3: a CDK policy-validation plugin). `applyNag` registers the AWS Solutions pack on the
 * app; `acknowledge` records a finding we accept on one construct (and its children), always with a
 * reason written for this stack. Every acknowledgement is also kept in a list, so tests and docs can
 * show what was accepted and why.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export interface Acknowledgement {
  /** Construct path the acknowledgement applies to (with its children). */
  path: string;
  /** Rule id, optionally with a finding (`AwsSolutions-IAM5[Resource::...]`). */
  id: string;
  reason: string;
}

const acknowledgements = new WeakMap<IConstruct, Acknowledgement[]>();

/** Accepts the finding `id` on `scope` and everything under it. */
export const acknowledge = (scope: IConstruct, id: string, reason: string): void => {
  if (reason.trim().length < 40) throw new Error(`cdk-nag acknowledgement ${id} needs a real reason`);
  Validations.of(scope).acknowledge({ id, reason });
  const root = scope.node.root;
  const list = acknowledgements.get(root) ?? [];
  list.push({ path: scope.node.path, id, reason });
  acknowledgements.set(root, list);
};

/** The acknowledgements recorded in the construct tree of `scope`. */
export const acknowledgementsOf = (scope: IConstruct): readonly Acknowledgement[] =>
  acknowledgements.get(scope.node.root) ?? [];

/** Runs the AWS Solutions rules on everything in the app at synth. */
export const applyNag = (app: App): void => {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
};
