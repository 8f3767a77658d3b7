/** Helpers of the infra tests: synthesise the app in process, read the cdk-nag report, walk the template. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type BuiltApp, buildApp } from '../../infra/build-app.js';
import { PROJECT_ROOT } from '../../infra/bundling.js';

export interface Synthesised extends BuiltApp {
  template: Template;
  /** The cloud assembly directory (templates, assets, validation-report.json). */
  assemblyDir: string;
  /** Violations found by cdk-nag (errors and warnings), after acknowledgements. */
  nagViolations: NagViolation[];
}

export interface NagViolation {
  ruleName: string;
  severity: string;
  paths: string[];
}

interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    violations: Array<{
      ruleName: string;
      severity: string;
      violatingConstructs?: Array<{ constructPath?: string }>;
    }>;
  }>;
}

/**
 * The feature flags of cdk.json (`@aws-cdk/...` keys). `npx cdk synth` reads them from cdk.json; an in-process
 * App does not, so the tests pass them explicitly and synthesise what the CLI synthesises.
 */
export const FEATURE_FLAGS: Record<string, unknown> = Object.fromEntries(
  Object.entries(
    (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> })
      .context,
  ).filter(([key]) => key.startsWith('@aws-cdk')),
);

/** buildApp with cdk.json's feature flags under `context`. */
export const buildWithFlags = (props: AppProps & { context?: Record<string, unknown> }): BuiltApp =>
  buildApp({ ...props, context: { ...FEATURE_FLAGS, ...props.context } });

/** Context that skips NodejsFunction bundling: for variants where only the template shape matters. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `signup-gate-${prefix}-`));

/** Writes `content` (JSON-encoded unless a string) to a fresh temp file and returns its path. */
export const writeTempFile = (name: string, content: unknown): string => {
  const path = join(tempDir('file'), name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
};

/** Reads the cdk-nag part of CDK's validation report (cdk-nag v3 reports there, not as annotations). */
export const readNagViolations = (assemblyDir: string): NagViolation[] => {
  let report: ValidationReport;
  try {
    report = JSON.parse(
      readFileSync(join(assemblyDir, 'validation-report.json'), 'utf8'),
    ) as ValidationReport;
  } catch {
    return [];
  }
  return report.pluginReports
    .filter((plugin) => plugin.pluginName.startsWith('AwsSolutions'))
    .flatMap((plugin) =>
      plugin.violations.map((v) => ({
        ruleName: v.ruleName,
        severity: v.severity,
        paths: (v.violatingConstructs ?? []).map((c) => c.constructPath ?? '?'),
      })),
    );
};

/**
 * Builds the app exactly as `infra/app.ts` does (stack + cdk-nag, cdk.json's feature flags), with `context`, and
 * synthesises it.
 */
export const synthesise = (context: Record<string, unknown> = {}): Synthesised => {
  const outdir = tempDir('cdk-out');
  const built = buildWithFlags({ outdir, context });
  const assembly = built.app.synth();
  return {
    ...built,
    template: Template.fromStack(built.stack),
    assemblyDir: assembly.directory,
    nagViolations: readNagViolations(assembly.directory),
  };
};

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is walked structurally
export type Cfn = any;

/** Every string anywhere inside a CloudFormation value (Fn::Join parts, Refs, ...). */
export const stringsIn = (value: Cfn): string[] => {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
};

/** Logical ids referenced inside a value (`Ref` and `Fn::GetAtt`). */
export const referencedIds = (value: Cfn): string[] => {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (value && typeof value === 'object') {
    const own: string[] = [];
    if (typeof value.Ref === 'string') own.push(value.Ref);
    if (Array.isArray(value['Fn::GetAtt'])) own.push(value['Fn::GetAtt'][0]);
    return [...own, ...Object.values(value).flatMap(referencedIds)];
  }
  return [];
};

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/**
 * Whether an event matches a Lambda event filter pattern, for the subset of the pattern language the stack uses
 * (nested objects, arrays of exact values, `{ "prefix": ... }`). Used to check the stream filter against the items
 * the store really writes; AWS applies the real matcher, which this cannot replace.
 */
export const matchesFilter = (pattern: Cfn, event: Cfn): boolean => {
  if (Array.isArray(pattern)) {
    return pattern.some((rule) =>
      rule !== null && typeof rule === 'object'
        ? typeof rule.prefix === 'string' && typeof event === 'string' && event.startsWith(rule.prefix)
        : rule === event,
    );
  }
  if (pattern === null || typeof pattern !== 'object') throw new Error('unsupported filter pattern');
  if (event === null || typeof event !== 'object') return false;
  return Object.entries(pattern).every(([key, inner]) => key in event && matchesFilter(inner, event[key]));
};
