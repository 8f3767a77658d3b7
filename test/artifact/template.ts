/**
 * Reading the synthesised template and cloud assembly the way AWS would use them: every Lambda function with its
 * code asset, handler and environment; what invokes it (HTTP API routes, Cognito, a stream mapping); the HTTP API's
 * route selection; the secrets and the values they start with. Nothing here knows the project's function list.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cfn } from '../infra/support.js';

export interface DeployedFunction {
  logicalId: string;
  /** The project's name of the function (its Powertools service name, `functions/<name>/`). */
  name: string;
  /** `Handler` (`index.handler`) and `Runtime` (`nodejs22.x`). */
  handler: string;
  runtime: string;
  memorySize: number;
  timeoutSeconds: number;
  /** The code asset's directory in the cloud assembly: what `cdk deploy` zips and uploads. */
  assetDir: string;
  /** The asset's S3 object key (`<hash>.zip`). */
  s3Key: string;
  /** `Environment.Variables` as written in the template (literals, `Ref`s, `Fn::GetAtt`s). */
  environment: Record<string, Cfn>;
}

/** What invokes a function, from the resources that grant or wire the invocation. */
export type Trigger = 'http' | 'cognito' | 'stream' | 'schedule';

interface AssetsManifest {
  files: Record<string, { source: { path: string; packaging?: string } }>;
}

const resourcesOf = (template: Cfn): Array<[string, Cfn]> => Object.entries(template.Resources ?? {});

/** Whether `value` names the function `logicalId` (`Ref`, or `Fn::GetAtt [id, Arn]`). */
const namesFunction = (value: Cfn, logicalId: string): boolean =>
  value?.Ref === logicalId || (Array.isArray(value?.['Fn::GetAtt']) && value['Fn::GetAtt'][0] === logicalId);

/**
 * Every `AWS::Lambda::Function` of the template, with its asset directory found through the function's `Code`
 * (S3 key `<hash>.zip`) in the assets manifest, as `cdk deploy` finds it; the asset metadata must agree.
 */
export const deployedFunctions = (
  template: Cfn,
  assemblyDir: string,
  stackName: string,
): DeployedFunction[] => {
  const manifest = JSON.parse(
    readFileSync(join(assemblyDir, `${stackName}.assets.json`), 'utf8'),
  ) as AssetsManifest;
  return resourcesOf(template)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([logicalId, resource]) => {
      const props = resource.Properties;
      const s3Key = String(props.Code?.S3Key ?? '');
      const hash = s3Key.replace(/\.zip$/, '');
      const asset = manifest.files[hash];
      if (asset?.source.packaging !== 'zip') {
        throw new Error(`${logicalId}: no zip asset ${hash} in ${stackName}.assets.json`);
      }
      if (resource.Metadata?.['aws:asset:path'] !== asset.source.path) {
        throw new Error(`${logicalId}: asset metadata and assets manifest disagree`);
      }
      const environment = (props.Environment?.Variables ?? {}) as Record<string, Cfn>;
      return {
        logicalId,
        name: String(environment.POWERTOOLS_SERVICE_NAME ?? logicalId),
        handler: String(props.Handler),
        runtime: String(props.Runtime),
        memorySize: Number(props.MemorySize ?? 128),
        timeoutSeconds: Number(props.Timeout ?? 3),
        assetDir: join(assemblyDir, asset.source.path),
        s3Key,
        environment,
      };
    });
};

/** The ways the stack lets `logicalId` be invoked: API Gateway and Cognito permissions, event source mappings. */
export const triggersOf = (template: Cfn, logicalId: string): Set<Trigger> => {
  const triggers = new Set<Trigger>();
  for (const [, resource] of resourcesOf(template)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::Lambda::Permission' && namesFunction(props.FunctionName, logicalId)) {
      if (props.Principal === 'apigateway.amazonaws.com') triggers.add('http');
      else if (props.Principal === 'cognito-idp.amazonaws.com') triggers.add('cognito');
      else if (props.Principal === 'events.amazonaws.com') triggers.add('schedule');
      else
        throw new Error(
          `${logicalId}: invoked by ${JSON.stringify(props.Principal)}, which no scenario knows`,
        );
    }
    if (resource.Type === 'AWS::Lambda::EventSourceMapping' && namesFunction(props.FunctionName, logicalId)) {
      triggers.add('stream');
    }
  }
  return triggers;
};

export interface StreamMapping {
  /** The filter patterns (parsed), any of which lets a record through. */
  filters: Cfn[];
  reportsBatchItemFailures: boolean;
}

export const streamMappingsOf = (template: Cfn, logicalId: string): StreamMapping[] =>
  resourcesOf(template)
    .filter(
      ([, r]) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' && namesFunction(r.Properties.FunctionName, logicalId),
    )
    .map(([, r]) => ({
      filters: (r.Properties.FilterCriteria?.Filters ?? []).map((f: Cfn) => JSON.parse(f.Pattern)),
      reportsBatchItemFailures: (r.Properties.FunctionResponseTypes ?? []).includes(
        'ReportBatchItemFailures',
      ),
    }));

export interface HttpRoute {
  /** `POST /screen`, `ANY /hooks/stripe`, `$default`. */
  routeKey: string;
  authorizationType: string;
  /** The function its integration invokes. */
  functionLogicalId: string;
}

/** The HTTP API's routes, each followed through its integration to the function it invokes. */
export const httpRoutes = (template: Cfn): HttpRoute[] => {
  const resources = template.Resources ?? {};
  return resourcesOf(template)
    .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route')
    .map(([id, r]) => {
      const target = JSON.stringify(r.Properties.Target ?? '');
      const integrationId = /"Ref":"([^"]+)"/.exec(target)?.[1];
      const integration = integrationId ? resources[integrationId] : undefined;
      const uri = integration?.Properties?.IntegrationUri;
      if (integration?.Properties?.PayloadFormatVersion !== '2.0' || !Array.isArray(uri?.['Fn::GetAtt'])) {
        throw new Error(`route ${id}: not a Lambda proxy integration with payload 2.0`);
      }
      return {
        routeKey: String(r.Properties.RouteKey),
        authorizationType: String(r.Properties.AuthorizationType ?? 'NONE'),
        functionLogicalId: String(uri['Fn::GetAtt'][0]),
      };
    });
};

/** Path template segments matched against a path: `{id}` matches one segment, `{proxy+}` the rest. */
const matchPath = (template: string, path: string): { variables: number } | null => {
  const want = template.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  let variables = 0;
  for (let i = 0; i < want.length; i++) {
    const segment = want[i]!;
    if (/^\{[^}]+\+\}$/.test(segment)) return have.length > i ? { variables: variables + 100 } : null;
    if (have[i] === undefined) return null;
    if (/^\{[^}]+\}$/.test(segment)) variables += 1;
    else if (segment !== have[i]) return null;
  }
  return want.length === have.length ? { variables } : null;
};

/**
 * The route API Gateway picks for a request: the most specific match (literal segments before path variables,
 * a method before `ANY`), else `$default`; undefined when nothing matches (API Gateway answers 404 itself).
 */
export const selectRoute = (routes: HttpRoute[], method: string, path: string): HttpRoute | undefined => {
  const candidates = routes
    .map((route) => {
      if (route.routeKey === '$default') return null;
      const [routeMethod, routePath] = route.routeKey.split(' ') as [string, string];
      if (routeMethod !== 'ANY' && routeMethod !== method) return null;
      const match = matchPath(routePath, path);
      return match ? { route, score: match.variables * 2 + (routeMethod === 'ANY' ? 1 : 0) } : null;
    })
    .filter((c): c is { route: HttpRoute; score: number } => c !== null)
    .sort((a, b) => a.score - b.score);
  return candidates[0]?.route ?? routes.find((route) => route.routeKey === '$default');
};

export interface StackSecret {
  logicalId: string;
  name: string;
  /** The value CloudFormation puts in at creation: a fixed string (a placeholder) or a generated password. */
  initial: { kind: 'fixed'; value: string } | { kind: 'generated'; length: number };
}

export const stackSecrets = (template: Cfn): StackSecret[] =>
  resourcesOf(template)
    .filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret')
    .map(([logicalId, r]) => {
      const props = r.Properties;
      const initial: StackSecret['initial'] =
        typeof props.SecretString === 'string'
          ? { kind: 'fixed', value: props.SecretString }
          : { kind: 'generated', length: Number(props.GenerateSecretString?.PasswordLength ?? 32) };
      return { logicalId, name: String(props.Name), initial };
    });

/** What a `Ref` or `Fn::GetAtt` of a resource becomes locally; throw for a resource without a stand-in. */
export type Resolver = (logicalId: string, resource: Cfn, attribute: string | null) => string;

/** A template value (literal, `Ref`, `Fn::GetAtt`, `Fn::Join`) as a string, references resolved by `resolve`. */
export const resolveValue = (template: Cfn, value: Cfn, resolve: Resolver): string => {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  const resources = template.Resources ?? {};
  if (typeof value?.Ref === 'string') {
    const resource = resources[value.Ref];
    if (!resource) throw new Error(`Ref to ${value.Ref}, which is not a resource`);
    return resolve(value.Ref, resource, null);
  }
  if (Array.isArray(value?.['Fn::GetAtt'])) {
    const [id, attribute] = value['Fn::GetAtt'] as [string, string];
    return resolve(id, resources[id], attribute);
  }
  if (Array.isArray(value?.['Fn::Join'])) {
    const [separator, parts] = value['Fn::Join'] as [string, Cfn[]];
    return parts.map((part) => resolveValue(template, part, resolve)).join(separator);
  }
  throw new Error(`no local resolution for ${JSON.stringify(value)}`);
};
