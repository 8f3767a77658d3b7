/**
 * The deployable artifact, as Lambda runs it. `npx cdk synth` runs once, offline, as a user runs it; then every
 * `AWS::Lambda::Function` of the template (whatever functions the stack has) is started from its own code asset:
 * Node in the asset directory, the handler the template names, the template's environment with its references
 * resolved to local stand-ins, and the environment Lambda adds. When the suite runs as root, each function runs as
 * an unprivileged user (uid/gid 65534), as Lambda runs code: it owns none of its files, so it can read only what the
 * asset's file modes let anyone read.
 *
 * Stand-ins (AWS cannot run here): dynalite for DynamoDB, small Secrets Manager and EventBridge servers
 * (./aws-stand-ins.ts), the Defastra sandbox; the SDK reaches them through `AWS_ENDPOINT_URL_<SERVICE>`. Events are
 * what AWS sends: API Gateway v2 events routed by the template's own routes, Cognito's pre sign-up event, DynamoDB
 * stream records of the items the functions wrote, through the template's filter. Every function runs twice: with
 * its secrets set, and right after a first deploy, while the secrets hold what the stack created them with.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/bundling.js';
import { type Sandbox, startSandbox } from '../../shared/defastra/sandbox/server.js';
import { resolveForSource } from '../../shared/policy/decide.js';
import { parsePolicyJson } from '../../shared/policy/schema.js';
import { type DynaliteHandle, startDynalite } from '../helpers/dynalite.js';
import { type Cfn, readNagViolations } from '../infra/support.js';
import {
  type EventBridgeStandIn,
  type SecretsStandIn,
  startEventBridge,
  startSecretsManager,
} from './aws-stand-ins.js';
import { canSwitchUser, LambdaContainer, removeRunnerCopy } from './container.js';
import { gatewayEvent, httpAnswer } from './events.js';
import { SCENARIOS, type ScenarioContext, type SharedState, scanAll } from './scenarios.js';
import { cliSynth } from './synth.js';
import {
  type DeployedFunction,
  deployedFunctions,
  httpRoutes,
  type Resolver,
  resolveValue,
  stackSecrets,
  triggersOf,
} from './template.js';

const STACK = 'SignupGate';
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';

// Synthesised while the file is collected: the template's functions decide which tests exist.
const synth = await cliSynth(STACK);
const template: Cfn = synth.template ?? { Resources: {} };
const functions: DeployedFunction[] =
  synth.code === 0 && synth.template ? deployedFunctions(template, synth.outdir, STACK) : [];
// Stream consumers last: they publish what the others stored.
const triggers = new Map(functions.map((fn) => [fn.logicalId, triggersOf(template, fn.logicalId)]));
functions.sort(
  (a, b) =>
    Number(triggers.get(a.logicalId)!.has('stream')) - Number(triggers.get(b.logicalId)!.has('stream')),
);

afterAll(() => {
  removeRunnerCopy();
  rmSync(synth.outdir, { recursive: true, force: true });
});

describe('npx cdk synth', () => {
  it('synthesises the app offline and exits 0, cdk-nag clean', () => {
    console.log(`npx cdk synth: ${synth.ms} ms`);
    expect(synth.code, synth.stderr.slice(-3000)).toBe(0);
    expect(synth.stderr).not.toMatch(/docker/i);
    // cdk.json sets the recommended feature flags: no "N feature flags are not configured" warning.
    expect(`${synth.stdout}\n${synth.stderr}`).not.toMatch(/feature flags/i);
    expect(Object.keys(template.Resources).length).toBeGreaterThan(30);
    expect(functions.length).toBeGreaterThanOrEqual(6);
    expect(existsSync(join(synth.outdir, 'manifest.json'))).toBe(true);
    expect(readNagViolations(synth.outdir)).toEqual([]);
  });
});

/** Every entry under `dir`: path relative to it, whether a directory, and its permission bits. */
const walk = (dir: string): Array<{ path: string; directory: boolean; mode: number }> => {
  const entries = [{ path: '.', directory: true, mode: statSync(dir).mode & 0o7777 }];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const stat = statSync(join(dir, name));
    entries.push({
      path: relative(dir, join(dir, name)),
      directory: stat.isDirectory(),
      mode: stat.mode & 0o7777,
    });
  }
  return entries;
};

const octal = (mode: number): string => `0${mode.toString(8)}`;

describe('function code assets (what cdk deploy zips and uploads)', () => {
  it.each(functions.map((fn) => [fn.name, fn] as const))(
    '%s: the bundle, its source map and policy.json, every file 0644 and directory 0755',
    (_name, fn) => {
      const entries = walk(fn.assetDir);
      expect(
        entries
          .filter((e) => !e.directory)
          .map((e) => e.path)
          .sort(),
      ).toEqual(['index.mjs', 'index.mjs.map', 'policy.json']);
      // The zip keeps each file's mode, and Lambda's user owns none of them: only world-readable files can be read.
      for (const entry of entries) {
        expect(`${entry.path} ${octal(entry.mode)}`).toBe(
          `${entry.path} ${entry.directory ? '0755' : '0644'}`,
        );
      }
      // The asset hash covers contents only: the bundle names the modes it ships with, so changing them changes it.
      expect(readFileSync(join(fn.assetDir, 'index.mjs'), 'utf8').split('\n', 1)[0]).toContain(
        'files 0644, directories 0755',
      );
      const policy = readFileSync(join(fn.assetDir, 'policy.json'), 'utf8');
      expect(JSON.parse(policy)).toEqual(JSON.parse(readFileSync(join(PROJECT_ROOT, 'policy.json'), 'utf8')));
    },
  );
});

/** A Secrets Manager ARN for `name` (the 6-character suffix AWS adds, here derived from the name). */
const secretArn = (name: string): string =>
  `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${createHash('sha256').update(name).digest('hex').slice(0, 6)}`;

/** Letters and digits, as `GenerateSecretString` with `ExcludePunctuation` makes them. */
const password = (length: number): string =>
  randomBytes(length * 2)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, length);

describe('every function of the template, invoked as Lambda runs it', () => {
  const unprivileged = canSwitchUser();
  /** The policy the assets ship (checked above to be the project's policy.json). */
  const policy = functions[0]
    ? parsePolicyJson(readFileSync(join(functions[0].assetDir, 'policy.json'), 'utf8'))
    : undefined;
  let dynamo: DynaliteHandle;
  let sandbox: Sandbox;
  let bus: EventBridgeStandIn;
  /** Secrets as the operator set them, and as the first deploy leaves them. */
  let secrets: SecretsStandIn;
  let firstSecrets: SecretsStandIn;
  let firstTable: string;
  const shared: SharedState = { verdicts: [], rawEmails: [] };
  const contexts = {
    configured: new Map<string, ScenarioContext>(),
    firstDeploy: new Map<string, ScenarioContext>(),
  };
  const routes = functions.length > 0 ? httpRoutes(template) : [];

  /** The value each secret holds once set, by the variable carrying its ARN; a new secret must be added here. */
  const configuredValue = (envVar: string, initial: string): string => {
    const values: Record<string, () => string> = {
      DEFASTRA_API_KEY_SECRET_ARN: () => sandbox.apiKey,
      PEPPER_SECRET_ARN: () => password(64),
      AUTH0_HOOK_SECRET_ARN: () => password(48),
      STRIPE_WEBHOOK_SECRET_ARN: () => `whsec_${password(32)}`,
      SUPABASE_HOOK_SECRET_ARN: () => `v1,whsec_${randomBytes(32).toString('base64')}`,
      OKTA_HOOK_SECRET_ARN: () => password(48),
      KRATOS_HOOK_SECRET_ARN: () => password(48),
      FIREBASE_HOOK_SECRET_ARN: () => password(48),
      PADDLE_WEBHOOK_SECRET_ARN: () => `pdl_ntfset_${password(32)}`,
      CLERK_WEBHOOK_SECRET_ARN: () => `whsec_${randomBytes(32).toString('base64')}`,
      WORKOS_ACTIONS_SECRET_ARN: () => password(40),
      // The write-back is off in the policy: the optional Stripe API key keeps its placeholder, as it may.
      STRIPE_API_KEY_SECRET_ARN: () => initial,
      // Generated at deploy and never set by hand: it keeps the generated value.
      RESCREEN_KEY_SECRET_ARN: () => initial,
      // Enforcement is off in the policy; were it tried, these would lead to a port where nothing listens.
      AUTH0_MANAGEMENT_SECRET_ARN: () =>
        JSON.stringify({ domain: 'http://127.0.0.1:9', client_id: 'artifact', client_secret: password(32) }),
      SUPABASE_ADMIN_SECRET_ARN: () =>
        JSON.stringify({ url: 'http://127.0.0.1:9', service_role_key: password(40) }),
      CLERK_SECRET_KEY_SECRET_ARN: () => `sk_test_${password(32)}`,
    };
    const value = values[envVar];
    if (!value)
      throw new Error(`no configured value for the secret in ${envVar}: add one to the artifact test`);
    return value();
  };

  const resolverFor =
    (tableName: string): Resolver =>
    (id, resource, attribute) => {
      const type = resource?.Type as string | undefined;
      if (attribute === null && (type === 'AWS::DynamoDB::GlobalTable' || type === 'AWS::DynamoDB::Table'))
        return tableName;
      if (attribute === null && type === 'AWS::SecretsManager::Secret')
        return secretArn(resource.Properties.Name);
      if (attribute === null && type === 'AWS::Events::EventBus') return resource.Properties.Name;
      throw new Error(`no local stand-in for ${attribute ? `${id}.${attribute}` : `Ref ${id}`} (${type})`);
    };

  const environmentOf = (fn: DeployedFunction, tableName: string): Record<string, string> => {
    const env = Object.fromEntries(
      Object.entries(fn.environment).map(([name, value]) => [
        name,
        resolveValue(template, value, resolverFor(tableName)),
      ]),
    );
    if ('DEFASTRA_BASE_URL' in env) env.DEFASTRA_BASE_URL = sandbox.url;
    return env;
  };

  /** The variables of `fn` whose value is a secret of the stack (a `Ref` to an AWS::SecretsManager::Secret). */
  const secretVariables = (fn: DeployedFunction): string[] =>
    Object.entries(fn.environment)
      .filter(([, value]) => template.Resources[value?.Ref]?.Type === 'AWS::SecretsManager::Secret')
      .map(([name]) => name);

  /** One access key per container, so the stand-ins can tell which container called them. */
  const accessKeyOf = (set: string, fn: DeployedFunction): string =>
    `ASIA${createHash('sha256').update(`${set}:${fn.logicalId}`).digest('hex').slice(0, 16).toUpperCase()}`;

  /** What the test adds to Lambda's environment: region, static credentials, the stand-ins' endpoints. */
  const extraFor = (set: string, fn: DeployedFunction, store: SecretsStandIn): Record<string, string> => ({
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: accessKeyOf(set, fn),
    AWS_SECRET_ACCESS_KEY: 'artifact-test-secret-access-key',
    AWS_SESSION_TOKEN: 'artifact-test-session-token',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: store.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
    // Lambda runs Node 22 (the template's runtime); this machine's Node may be older than the SDK would like.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });

  const startContext = async (
    set: 'configured' | 'firstDeploy',
    fn: DeployedFunction,
    tableName: string,
    store: SecretsStandIn,
  ): Promise<ScenarioContext> => {
    const environment = environmentOf(fn, tableName);
    const container = await LambdaContainer.start({
      fn,
      environment,
      unprivileged,
      extra: extraFor(set, fn, store),
    });
    const timeoutMs = fn.timeoutSeconds * 1000;
    return {
      fn,
      environment,
      container,
      invoke: (event) => container.invoke(event, timeoutMs),
      http: async (input) => {
        const invocation = await container.invoke(gatewayEvent(routes, fn.logicalId, input), timeoutMs);
        expect(invocation.ok, invocation.error?.errorMessage).toBe(true);
        return { ...httpAnswer(invocation.result), logs: invocation.logs };
      },
      secret: (envVar) => {
        const arn = environment[envVar];
        if (!arn) throw new Error(`${fn.name} gets no ${envVar}`);
        return store.valueOf(arn);
      },
      email: (level) => {
        const email = `${randomBytes(5).toString('hex')}+${level}@example.com`;
        shared.rawEmails.push(email);
        return email;
      },
      sandbox,
      bus,
      table: { name: tableName, scan: () => scanAll(dynamo.client, tableName) },
      template,
      shared,
      policy: (source) => resolveForSource(policy!, source),
    };
  };

  beforeAll(async () => {
    [dynamo, sandbox, bus] = await Promise.all([startDynalite(), startSandbox(), startEventBridge()]);
    firstTable = await dynamo.freshTable();
    const configuredValues: Record<string, string> = {};
    const firstValues: Record<string, string> = {};
    const initial = new Map(
      stackSecrets(template).map((s) => [
        secretArn(s.name),
        s.initial.kind === 'fixed' ? s.initial.value : password(s.initial.length),
      ]),
    );
    for (const fn of functions) {
      for (const name of secretVariables(fn)) {
        const arn = secretArn(template.Resources[fn.environment[name].Ref].Properties.Name);
        firstValues[arn] = initial.get(arn)!;
        configuredValues[arn] ??= configuredValue(name, initial.get(arn)!);
      }
    }
    [secrets, firstSecrets] = await Promise.all([
      startSecretsManager(configuredValues),
      startSecretsManager(firstValues),
    ]);
    // Every environment starts at once (their init phases overlap), then the tests take them in turn.
    await Promise.all(
      functions.flatMap((fn) => [
        startContext('configured', fn, dynamo.tableName, secrets).then((c) =>
          contexts.configured.set(fn.logicalId, c),
        ),
        ...(secretVariables(fn).length > 0
          ? [
              startContext('firstDeploy', fn, firstTable, firstSecrets).then((c) =>
                contexts.firstDeploy.set(fn.logicalId, c),
              ),
            ]
          : []),
      ]),
    );
    await Promise.all(
      [...contexts.configured.values(), ...contexts.firstDeploy.values()].map((c) => c.container.init),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(
      [...contexts.configured.values(), ...contexts.firstDeploy.values()].map((c) => c.container.close()),
    );
    await Promise.all([
      dynamo?.close(),
      sandbox?.close(),
      bus?.close(),
      secrets?.close(),
      firstSecrets?.close(),
    ]);
  });

  it.skipIf(!unprivileged)(
    'runs every function as uid/gid 65534 (skipped unless the suite runs as root: only root can switch users; the file mode checks above still apply)',
    async () => {
      for (const context of [...contexts.configured.values(), ...contexts.firstDeploy.values()]) {
        const init = await context.container.init;
        expect(init.uid, context.fn.name).toBe(65534);
      }
    },
  );

  for (const fn of functions) {
    const scenario = SCENARIOS[fn.name];
    const wired = [...triggers.get(fn.logicalId)!].sort().join(', ');
    it(`${fn.name} (${wired}), secrets set: loads, answers every case, reads each secret once`, async () => {
      expect(scenario, `no scenario for the function ${fn.name} in test/artifact/scenarios.ts`).toBeDefined();
      expect([...scenario!.triggers].sort().join(', ')).toBe(wired);
      const ctx = contexts.configured.get(fn.logicalId)!;
      const init = await ctx.container.init;
      expect(init.ok, `${init.error?.errorType}: ${init.error?.errorMessage}`).toBe(true);
      console.log(`${fn.name}: init ${init.ms} ms`);
      await scenario!.configured(ctx);
      // Secrets are fetched once per execution environment (cached for SECRETS_MAX_AGE_SECONDS).
      const key = accessKeyOf('configured', fn);
      for (const name of secretVariables(fn)) {
        expect(secrets.reads(ctx.environment[name]!, key), `${name} reads`).toBeLessThanOrEqual(1);
      }
      if (secretVariables(fn).includes('PEPPER_SECRET_ARN')) {
        expect(secrets.reads(ctx.environment.PEPPER_SECRET_ARN!, key)).toBe(1);
      }
    });
    if (secretVariables(fn).length > 0) {
      it(`${fn.name}, right after the first deploy (placeholder secrets): the documented answers`, async () => {
        expect(
          scenario?.firstDeploy,
          `no first-deploy scenario for ${fn.name}, which reads secrets`,
        ).toBeDefined();
        await scenario!.firstDeploy!(contexts.firstDeploy.get(fn.logicalId)!);
      });
    }
  }

  it('every function logged JSON lines only: no raw email, no dropped reserved key', () => {
    expect(shared.rawEmails.length).toBeGreaterThan(5);
    for (const context of [...contexts.configured.values(), ...contexts.firstDeploy.values()]) {
      const output = context.container.output();
      for (const email of shared.rawEmails) expect(output, context.fn.name).not.toContain(email);
      expect(output, context.fn.name).not.toMatch(/reserved key/);
      expect(context.container.strayLines(), context.fn.name).toEqual([]);
    }
  });

  it('an unexpected error is logged with its cause, redacted (a policy file the function may not read)', async () => {
    const fn = functions.find((f) => f.name === 'api');
    expect(fn, 'the api function').toBeDefined();
    // Mode 000: unreadable by any user but root (and the function does not run as root here).
    const dir = mkdtempSync(join(tmpdir(), 'signup-gate-unreadable-'));
    chmodSync(dir, 0o755);
    const unreadable = join(dir, 'policy.json');
    copyFileSync(join(fn!.assetDir, 'policy.json'), unreadable);
    chmodSync(unreadable, 0o000);
    const broken = await LambdaContainer.start({
      fn: fn!,
      environment: { ...environmentOf(fn!, dynamo.tableName), POLICY_FILE: unreadable },
      unprivileged,
      extra: extraFor('broken', fn!, secrets),
    });
    try {
      const email = `${randomBytes(5).toString('hex')}@example.com`;
      const invocation = await broken.invoke(
        gatewayEvent(routes, fn!.logicalId, {
          method: 'POST',
          path: '/screen',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email }),
        }),
      );
      expect(httpAnswer(invocation.result).status).toBe(500);
      const line = invocation.logs.find((l) => l.message === 'unexpected error');
      expect(line, broken.output()).toMatchObject({
        level: 'ERROR',
        error_name: 'ConfigError',
        error_message: `cannot read the policy file ${unreadable}: EACCES`,
        // NODE_OPTIONS=--enable-source-maps (from the template) maps the frame back to the TypeScript source.
        error_at: expect.stringMatching(/shared\/config\/policy-file\.ts:\d+:\d+\)$/),
        route: '/screen',
      });
      expect(broken.output()).not.toContain(email);
      expect(broken.output()).not.toMatch(/reserved key/);
    } finally {
      await broken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
