/**
 * "Our kind of function": Node.js 22 on arm64, an ESM bundle built by the local esbuild (minified,
 * source maps on) with the policy file beside it, its own log group with a set retention, and its own
 * role holding nothing but the right to write to that log group. Everything else is granted by the
 * stack, statement by statement.
 */
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLED_POLICY_FILE } from '../shared/config/policy-file.js';
import { METRICS_NAMESPACE } from '../shared/observability/metric-names.js';
import { cdkBundlingOptions, entryOf, type FunctionName, PROJECT_ROOT } from './bundling.js';
import type { LogLevel } from './context.js';

export interface ServiceFunctionProps {
  /** Folder under `functions/`; also the Powertools service name. */
  name: FunctionName;
  description: string;
  timeout: Duration;
  memorySize: number;
  logRetentionDays: number;
  logLevel: LogLevel;
  /** Application environment (the contract of shared/config/lambda.ts or shared/config/events.ts). */
  environment: Record<string, string>;
  /** The staged policy file (infra/policy.ts), shipped in the bundle as `policy.json`. */
  policyFile: string;
  /** Reserved concurrency; unset = the account's unreserved pool. */
  reservedConcurrency?: number | undefined;
}

export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // A role of our own instead of the default one, which would attach the AWSLambdaBasicExecutionRole
    // managed policy (logs:* on every log group of the account).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `signup-gate ${props.name} function`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      description: props.description,
      entry: entryOf(props.name),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}/package-lock.json`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      bundling: cdkBundlingOptions({ [BUNDLED_POLICY_FILE]: props.policyFile }),
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      environment: {
        ...props.environment,
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        LOG_LEVEL: props.logLevel,
      },
    });
  }
}
