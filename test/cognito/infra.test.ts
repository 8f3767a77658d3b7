/**
 * `infra/cognito.ts`: the invoke permission (one pool, or this account), the function ARN output, the
 * optional example pool wired to the function, and cdk-nag clean on all of it. Synthesised in process
 * around a plain inline function (the stack's own wiring is covered by the infra suite).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { COGNITO_OUTPUTS, CognitoTrigger, type CognitoTriggerProps } from '../../infra/cognito.js';
import { acknowledge, acknowledgementsOf, applyNag } from '../../infra/nag.js';
import { readNagViolations, tempDir } from '../infra/support.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is walked structurally
type Cfn = any;

const POOL_ARN = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123';

const synth = (props: Omit<CognitoTriggerProps, 'fn'>) => {
  const outdir = tempDir('cognito');
  const app = new App({ outdir });
  const stack = new Stack(app, 'CognitoTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const fn = new lambda.Function(stack, 'PreSignUp', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (event) => event;'),
    role,
  });
  acknowledge(
    fn,
    'AwsSolutions-L1',
    'A stand-in for the real cognito-pre-signup function, whose runtime the stack pins and acknowledges itself.',
  );
  const trigger = new CognitoTrigger(stack, 'Cognito', { fn, ...props });
  applyNag(app);
  const assembly = app.synth();
  return {
    stack,
    trigger,
    template: Template.fromStack(stack),
    json: Template.fromStack(stack).toJSON() as Cfn,
    fnLogicalId: stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction),
    nag: readNagViolations(assembly.directory),
  };
};

const permissions = (json: Cfn) =>
  Object.values(json.Resources as Record<string, Cfn>).filter((r) => r.Type === 'AWS::Lambda::Permission');

describe('CognitoTrigger', () => {
  it('without a pool ARN: lets Cognito invoke the function from this account only, outputs its ARN', () => {
    const s = synth({ cognitoExamplePool: false });
    const perms = permissions(s.json);
    expect(perms).toHaveLength(1);
    expect(perms[0].Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [s.fnLogicalId, 'Arn'] },
      Principal: 'cognito-idp.amazonaws.com',
      SourceAccount: '123456789012',
    });
    expect(s.json.Outputs[COGNITO_OUTPUTS.functionArn].Value).toEqual({
      'Fn::GetAtt': [s.fnLogicalId, 'Arn'],
    });
    s.template.resourceCountIs('AWS::Cognito::UserPool', 0);
    expect(s.json.Outputs[COGNITO_OUTPUTS.examplePoolId]).toBeUndefined();
    expect(s.nag).toEqual([]);
  });

  it('with cognitoUserPoolArn: restricts the permission to that pool', () => {
    const s = synth({ cognitoUserPoolArn: POOL_ARN, cognitoExamplePool: false });
    const perms = permissions(s.json);
    expect(perms).toHaveLength(1);
    expect(perms[0].Properties.SourceArn).toBe(POOL_ARN);
    expect(perms[0].Properties.SourceAccount).toBeUndefined();
  });

  it.each([
    'arn:aws:cognito-idp:eu-west-1:123456789012:identitypool/eu-west-1:abc',
    'eu-west-1_AbCdEf123',
    'arn:aws:cognito-idp:eu-west-1:12345:userpool/eu-west-1_AbCdEf123',
  ])('refuses a cognitoUserPoolArn that is not a user pool ARN (%s)', (arn) => {
    expect(() => synth({ cognitoUserPoolArn: arn, cognitoExamplePool: false })).toThrow(/cognitoUserPoolArn/);
  });

  it('with cognitoExamplePool: a self sign-up, email sign-in pool wired to the function, nag clean', () => {
    const s = synth({ cognitoExamplePool: true });
    s.template.resourceCountIs('AWS::Cognito::UserPool', 1);
    const pool = Object.values(s.json.Resources as Record<string, Cfn>).find(
      (r) => r.Type === 'AWS::Cognito::UserPool',
    ).Properties;
    expect(pool.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(false);
    expect(pool.UsernameAttributes).toEqual(['email']);
    expect(pool.LambdaConfig.PreSignUp).toEqual({ 'Fn::GetAtt': [s.fnLogicalId, 'Arn'] });
    expect(pool.Policies.PasswordPolicy).toMatchObject({
      MinimumLength: 12,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
    });
    expect(pool.MfaConfiguration).toBe('ON');
    // Both the account-wide permission and the pool's own (scoped to the example pool) are present.
    const perms = permissions(s.json).map((p) => p.Properties);
    expect(perms).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ SourceAccount: '123456789012' }),
        expect.objectContaining({ SourceArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } }),
      ]),
    );
    s.template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    expect(s.json.Outputs[COGNITO_OUTPUTS.examplePoolId]).toBeDefined();
    expect(s.json.Outputs[COGNITO_OUTPUTS.exampleClientId]).toBeDefined();
    expect(s.nag).toEqual([]);
    const reasons = acknowledgementsOf(s.stack).filter((a) => a.path.startsWith('CognitoTest/Cognito/'));
    expect(reasons.map((a) => a.id)).toEqual(['AwsSolutions-COG8']);
  });

  it('without the acknowledgement the example pool would fail cdk-nag (the check is live)', () => {
    const outdir = tempDir('cognito-nag');
    const app = new App({ outdir });
    const stack = new Stack(app, 'Control');
    new cognito.UserPool(stack, 'Plain', { selfSignUpEnabled: true });
    applyNag(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-COG/);
  });
});
