/**
 * The Cognito side of the `cognito-pre-signup` function (docs/cognito.md): the permission for Cognito to invoke
 * it (restricted to one pool when `cognitoUserPoolArn` is given, else to pools of this account), its ARN as
 * a stack output, and, with `cognitoExamplePool`, a small user pool wired to it for trying.
 */
import { CfnOutput, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { USER_POOL_ARN } from './context.js';
import { acknowledge } from './nag.js';

export interface CognitoTriggerProps {
  /** The `cognito-pre-signup` function (`ServiceFunction.function`). */
  fn: lambda.IFunction;
  /** When set, only this user pool may invoke the function. */
  cognitoUserPoolArn?: string | undefined;
  /** Create a small user pool with the trigger attached, for trying. */
  cognitoExamplePool: boolean;
}

export const COGNITO_OUTPUTS = {
  functionArn: 'CognitoPreSignUpFunctionArn',
  examplePoolId: 'CognitoExampleUserPoolId',
  exampleClientId: 'CognitoExampleUserPoolClientId',
} as const;

export class CognitoTrigger extends Construct {
  readonly examplePool: cognito.UserPool | undefined;
  readonly exampleClient: cognito.UserPoolClient | undefined;

  constructor(scope: Construct, id: string, props: CognitoTriggerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const poolArn = props.cognitoUserPoolArn;
    if (poolArn !== undefined && !Token.isUnresolved(poolArn) && !USER_POOL_ARN.test(poolArn)) {
      throw new Error(
        `cognitoUserPoolArn: expected a user pool ARN (arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>), got "${poolArn}"`,
      );
    }

    // Without a pool ARN, any user pool of this account may invoke the function (SourceAccount): the
    // confused-deputy guard AWS recommends when the pool is not known at deploy time.
    props.fn.addPermission('CognitoInvoke', {
      principal: new iam.ServicePrincipal('cognito-idp.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      ...(poolArn ? { sourceArn: poolArn } : { sourceAccount: stack.account }),
    });
    // On the stack itself, so the output keys are exactly these names.
    new CfnOutput(stack, COGNITO_OUTPUTS.functionArn, {
      value: props.fn.functionArn,
      description:
        'Cognito pre sign-up trigger: set as the user pool LambdaConfig.PreSignUp (docs/cognito.md)',
    });

    if (!props.cognitoExamplePool) {
      this.examplePool = undefined;
      this.exampleClient = undefined;
      return;
    }
    this.examplePool = new cognito.UserPool(this, 'ExamplePool', {
      userPoolName: `${stack.stackName}-example`,
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      // Sign-up (what the trigger screens) needs no second factor; signing in asks for an authenticator app.
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      deletionProtection: false,
      removalPolicy: RemovalPolicy.DESTROY,
      lambdaTriggers: { preSignUp: props.fn },
    });
    this.exampleClient = this.examplePool.addClient('ExampleClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      // For `aws cognito-idp sign-up` only: no hosted UI, so none of CDK's default OAuth flows (implicit grant
      // to https://example.com) either.
      disableOAuth: true,
      preventUserExistenceErrors: true,
    });
    acknowledge(
      this.examplePool,
      'AwsSolutions-COG8',
      'The example pool exists only to try the pre sign-up trigger (context cognitoExamplePool=true, off by default); the Plus feature plan (threat protection) is billed per monthly active user, which a throwaway pool should not incur. Production pools are the operator own and keep their own plan.',
    );
    new CfnOutput(stack, COGNITO_OUTPUTS.examplePoolId, {
      value: this.examplePool.userPoolId,
      description: 'Example user pool with the pre sign-up trigger attached (for trying)',
    });
    new CfnOutput(stack, COGNITO_OUTPUTS.exampleClientId, {
      value: this.exampleClient.userPoolClientId,
      description: 'App client of the example pool, for aws cognito-idp sign-up --client-id',
    });
  }
}
