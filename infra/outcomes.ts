/**
 * What Stripe's fraud reports need besides what every hook has (docs/outcomes.md): the Stripe hook finds a customer's
 * verdicts through their `subject_ref` look-up partitions, so it may Query the table, on those partition keys only.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { refPartitionPrefix } from '../shared/store/dynamo/keys.js';

/** The Sid of the statement, for tests and reviewers. */
export const REF_LOOKUP_SID = 'VerdictRefLookups';

/** Lets `role` query the `subject_ref` look-up partitions of the table, and nothing else of it by Query. */
export const grantSubjectLookups = (role: iam.IRole, tableArn: string): void => {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: REF_LOOKUP_SID,
      actions: ['dynamodb:Query'],
      resources: [tableArn],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${refPartitionPrefix('subject_ref')}*`] },
      },
    }),
  );
};
