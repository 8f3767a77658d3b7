/**
 * The runtime policy items (docs/policy-lifecycle.md) in IAM: every screening function reads them (a Query on their
 * one partition, and the GetItem it already has), only the api function writes them. The write refusal is an explicit
 * Deny on that partition, so no later grant on the table can give a hook the power to change the policy.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { POLICY_PARTITION } from '../shared/store/dynamo/keys.js';

export const POLICY_READ_SID = 'PolicyVersionsRead';
export const POLICY_WRITE_DENY_SID = 'PolicyVersionsReadOnly';
/** The item writes a screening function may make elsewhere in the table but never on the policy partition. */
export const POLICY_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

/** Lets `role` read the policy partition (and only it) with Query, and denies it every write there. */
export const readOnlyPolicyItems = (role: iam.IRole, tableArn: string): void => {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: POLICY_READ_SID,
      actions: ['dynamodb:Query'],
      resources: [tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [POLICY_PARTITION] } },
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: POLICY_WRITE_DENY_SID,
      effect: iam.Effect.DENY,
      actions: POLICY_WRITE_ACTIONS,
      resources: [tableArn],
      conditions: { 'ForAnyValue:StringEquals': { 'dynamodb:LeadingKeys': [POLICY_PARTITION] } },
    }),
  );
};
