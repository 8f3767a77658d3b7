/**
 * What each deployed function must answer, by function name: once its secrets are set (`configured`), and right
 * after the first deploy, while the secrets still hold what the stack created them with (`firstDeploy`, required
 * for every function that reads a secret). Each scenario drives one warm execution environment through real events
 * and asserts the answers; docs/deploy.md describes the first-deploy answers.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'vitest';
import type { Source } from '../../shared/core/levels.js';
import type { Sandbox } from '../../shared/defastra/sandbox/server.js';
import type { ResolvedPolicy } from '../../shared/policy/schema.js';
import { itemToCounts } from '../../shared/store/dynamo/codec.js';
import { type Item, statsPartition } from '../../shared/store/dynamo/keys.js';
import { allShards, STATS_SHARDS } from '../../shared/store/shards.js';
import { signAuth0Body } from '../../shared/webhooks/auth0.js';
import { signStandardWebhook } from '../../shared/webhooks/standard-webhooks.js';
import type { EventInput } from '../helpers/lambda-events.js';
import { type Cfn, matchesFilter } from '../infra/support.js';
import { customerCreated, sign } from '../stripe/fixtures/events.js';
import type { EventBridgeStandIn } from './aws-stand-ins.js';
import type { Invocation, LambdaContainer, LogLine } from './container.js';
import { type HttpAnswer, type Image, preSignUpEvent, streamRecord } from './events.js';
import { PROVIDER_SCENARIOS } from './provider-scenarios.js';
import { type DeployedFunction, streamMappingsOf, type Trigger } from './template.js';

/** The principal of the IAM authoriser context (test/helpers/lambda-events.ts). */
export const OPERATOR_ARN = 'arn:aws:sts::123456789012:assumed-role/operator/session';

/** What the scenarios of one run share: verdicts screened, the review made, every raw email sent. */
export interface SharedState {
  verdicts: Array<{ id: string; decision: string }>;
  reviewed?: { id: string; before: Image; after: Image };
  rawEmails: string[];
}

export interface ScenarioContext {
  fn: DeployedFunction;
  /** The function's environment as this container got it (template values, references resolved locally). */
  environment: Record<string, string>;
  container: LambdaContainer;
  /** A request through the HTTP API's routes to this function (throws if they route it elsewhere). */
  http(input: Omit<EventInput, 'iam' | 'kind'>): Promise<HttpAnswer & { logs: LogLine[] }>;
  invoke<T>(event: unknown): Promise<Invocation<T>>;
  /** The value of the secret whose ARN the function gets in `envVar`, as Secrets Manager holds it. */
  secret(envVar: string): string;
  /** A fresh address at example.com whose Defastra sandbox level is `level` (recorded as a raw email sent). */
  email(level: 'low' | 'medium' | 'high'): string;
  sandbox: Sandbox;
  bus: EventBridgeStandIn;
  table: { name: string; scan(): Promise<Image[]> };
  template: Cfn;
  shared: SharedState;
  /** The policy the assets ship (their policy.json), as it applies to `source`. */
  policy(source: Source): ResolvedPolicy;
}

export interface Scenario {
  /** How the stack invokes the function; must equal what the template wires. */
  triggers: Trigger[];
  configured(ctx: ScenarioContext): Promise<void>;
  firstDeploy?(ctx: ScenarioContext): Promise<void>;
}

const nowSec = (): number => Math.floor(Date.now() / 1000);
const json = { 'content-type': 'application/json' };

/** The stored verdict item (`V#<id>`) as DynamoDB holds it. */
const verdictItem = async (ctx: ScenarioContext, id: string): Promise<Image> => {
  const item = (await ctx.table.scan()).find((i) => i.pk?.S === `V#${id}`);
  expect(item, `verdict item V#${id}`).toBeDefined();
  return item!;
};

/** A 200 with a verdict of `decision` from `source`, Defastra having answered (not degraded). */
const screenedAs = (answer: HttpAnswer, decision: string, source: string) => {
  expect(answer.status, answer.text).toBe(200);
  expect(answer.json).toMatchObject({ source, decision, degraded: false });
};

const api: Scenario = {
  triggers: ['http'],
  async configured(ctx) {
    // A backend screens (base64 body, as API Gateway sends some), then retries with the same Idempotency-Key.
    const email = ctx.email('medium');
    const body = JSON.stringify({ email, reference: 'artifact-screen' });
    const key = `artifact-${randomUUID()}`;
    const screen = () =>
      ctx.http({
        method: 'POST',
        path: '/screen',
        headers: { ...json, 'idempotency-key': key },
        body,
        base64: true,
      });
    const calls = ctx.sandbox.stats().byEndpoint.email;
    const first = await screen();
    screenedAs(first, 'review', 'api');
    expect(first.json.source_ref).toBe('artifact-screen');
    expect(first.text).not.toContain(email);
    const again = await screen();
    expect(again.status).toBe(200);
    expect(again.json.verdict_id).toBe(first.json.verdict_id);
    expect(ctx.sandbox.stats().byEndpoint.email - calls).toBe(1);
    ctx.shared.verdicts.push({ id: first.json.verdict_id, decision: 'review' });

    const high = await ctx.http({
      method: 'POST',
      path: '/screen',
      headers: json,
      body: JSON.stringify({ email: ctx.email('high') }),
    });
    screenedAs(high, 'block', 'api');
    ctx.shared.verdicts.push({ id: high.json.verdict_id, decision: 'block' });

    // An operator reads and rejects the first verdict; the IAM principal is the reviewer.
    const id = first.json.verdict_id as string;
    const read = await ctx.http({ method: 'GET', path: `/verdicts/${id}` });
    expect(read.status).toBe(200);
    expect(read.json.verdict_id).toBe(id);
    const before = await verdictItem(ctx, id);
    const reviewed = await ctx.http({
      method: 'POST',
      path: `/verdicts/${id}/review`,
      headers: json,
      body: JSON.stringify({ outcome: 'reject', note: 'artifact test' }),
    });
    expect(reviewed.status, reviewed.text).toBe(200);
    expect(reviewed.json.review).toMatchObject({ outcome: 'reject', reviewed_by: OPERATOR_ARN });
    ctx.shared.reviewed = { id, before, after: await verdictItem(ctx, id) };
    const stats = await ctx.http({ method: 'GET', path: '/stats' });
    expect(stats.status, stats.text).toBe(200);

    const lists = await ctx.http({ method: 'GET', path: '/lists' });
    expect(lists.status, lists.text).toBe(200);

    // Unsigned requests reach the function only through the catch-all routes (an unsigned POST /screen gets API
    // Gateway's own 403): the contract's answers, never a 500. HEAD is not GET to API Gateway, but Hono serves it
    // with the GET route, whose operator check refuses it.
    const unsigned = await ctx.http({ method: 'HEAD', path: '/verdicts' });
    expect(unsigned.status, unsigned.text).toBe(401);
    const wrongMethod = await ctx.http({ method: 'GET', path: '/screen' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
    const unknown = await ctx.http({ method: 'GET', path: '/no-such-route' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('not_found');
  },
  async firstDeploy(ctx) {
    // The Defastra key is still the placeholder: NO_KEY, decided by on_error.api, reported as a fatal error.
    const requests = ctx.sandbox.stats().requests;
    const answer = await ctx.http({
      method: 'POST',
      path: '/screen',
      headers: json,
      body: JSON.stringify({ email: ctx.email('low') }),
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toMatchObject({ decision: ctx.policy('api').on_error.api, degraded: true });
    expect(answer.json.email.error.type).toBe('NO_KEY');
    expect(ctx.sandbox.stats().requests).toBe(requests);
    const fatal = ctx.container.logLines().filter((line) => line._aws && 'DefastraFatalErrors' in line);
    expect(fatal.length).toBeGreaterThan(0);
  },
};

const auth0Body = (email: string) =>
  JSON.stringify({ user: { email }, request: { ip: '203.0.113.21' }, tenant: { id: 'artifact' } });

const postAuth0 = (
  ctx: ScenarioContext,
  text: string,
  signature: string,
  extra: Record<string, string> = {},
) =>
  ctx.http({
    method: 'POST',
    path: '/hooks/auth0',
    headers: { ...json, 'x-signup-gate-signature': signature, ...extra },
    body: text,
  });

const auth0Hook: Scenario = {
  triggers: ['http'],
  async configured(ctx) {
    const secret = ctx.secret('AUTH0_HOOK_SECRET_ARN');
    const text = auth0Body(ctx.email('medium'));
    const key = randomUUID();
    const calls = ctx.sandbox.stats().byEndpoint.email;
    const send = () =>
      postAuth0(ctx, text, signAuth0Body(secret, text, nowSec(), key), { 'idempotency-key': key });
    const first = await send();
    screenedAs(first, 'review', 'auth0');
    expect(first.json).toMatchObject({ source_ref: key, user_message: ctx.policy('auth0').user_message });
    const again = await send(); // the Action retried: same verdict, no second Defastra call
    expect(again.json.verdict_id).toBe(first.json.verdict_id);
    expect(ctx.sandbox.stats().byEndpoint.email - calls).toBe(1);
    ctx.shared.verdicts.push({ id: first.json.verdict_id, decision: 'review' });

    const highText = auth0Body(ctx.email('high'));
    const high = await ctx.http({
      method: 'POST',
      path: '/hooks/auth0',
      headers: { ...json, 'x-signup-gate-signature': signAuth0Body(secret, highText, nowSec()) },
      body: highText,
      base64: true,
    });
    screenedAs(high, 'block', 'auth0');
    ctx.shared.verdicts.push({ id: high.json.verdict_id, decision: 'block' });

    const forged = await postAuth0(ctx, text, signAuth0Body('not-the-secret', text, nowSec()));
    expect(forged.status).toBe(401);
    expect(forged.json.error.code).toBe('unauthorized');
  },
  async firstDeploy(ctx) {
    // The hook secret is generated at deploy; until the Action holds it, its requests are refused.
    const text = auth0Body(ctx.email('low'));
    const unconfigured = await postAuth0(ctx, text, signAuth0Body('not-yet-copied', text, nowSec()));
    expect(unconfigured.status).toBe(401);
    // With it, signups are screened, but the Defastra key is a placeholder: on_error.auth0 decides.
    const signed = await postAuth0(
      ctx,
      text,
      signAuth0Body(ctx.secret('AUTH0_HOOK_SECRET_ARN'), text, nowSec()),
    );
    expect(signed.status, signed.text).toBe(200);
    expect(signed.json).toMatchObject({ decision: ctx.policy('auth0').on_error.auth0, degraded: true });
  },
};

const postStripe = (ctx: ScenarioContext, delivery: { payload: string; signature: string }) =>
  ctx.http({
    method: 'POST',
    path: '/hooks/stripe',
    headers: { ...json, 'stripe-signature': delivery.signature },
    body: delivery.payload,
  });

const stripeHook: Scenario = {
  triggers: ['http'],
  async configured(ctx) {
    const delivery = sign(
      customerCreated({ email: ctx.email('high') }),
      ctx.secret('STRIPE_WEBHOOK_SECRET_ARN'),
    );
    const first = await postStripe(ctx, delivery);
    screenedAs(first, 'block', 'stripe');
    expect(first.json).toMatchObject({ event_id: delivery.event.id, duplicate: false });
    const again = await postStripe(ctx, delivery); // Stripe delivers an event again: a duplicate, same verdict
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ verdict_id: first.json.verdict_id, duplicate: true });
    ctx.shared.verdicts.push({ id: first.json.verdict_id, decision: 'block' });

    const forged = await postStripe(ctx, sign(customerCreated({ email: ctx.email('low') }), 'whsec_not_it'));
    expect(forged.status).toBe(400);
    expect(forged.json.error.code).toBe('invalid_signature');
  },
  async firstDeploy(ctx) {
    // The signing secret is still the placeholder: every delivery, however signed, is refused.
    const delivery = sign(
      customerCreated({ email: ctx.email('low') }),
      `whsec_${randomBytes(24).toString('hex')}`,
    );
    const answer = await postStripe(ctx, delivery);
    expect(answer.status).toBe(400);
    expect(answer.json.error.code).toBe('invalid_signature');
    expect(answer.logs).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'stripe signature rejected', reason: 'no_secrets' }),
    );
  },
};

const supabaseDelivery = (ctx: ScenarioContext, email: string, secret: string, id = randomUUID()) => {
  const text = JSON.stringify({
    metadata: {
      uuid: randomUUID(),
      time: new Date().toISOString(),
      name: 'before-user-created',
      ip_address: '203.0.113.31',
    },
    user: {
      id: randomUUID(),
      aud: 'authenticated',
      role: '',
      email,
      phone: '',
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: {},
      identities: [],
      created_at: '0001-01-01T00:00:00Z',
      updated_at: '0001-01-01T00:00:00Z',
      is_anonymous: false,
    },
  });
  return () =>
    ctx.http({
      method: 'POST',
      path: '/hooks/supabase',
      headers: { ...json, ...signStandardWebhook([secret], id, nowSec(), text) },
      body: text,
    });
};

const supabaseHook: Scenario = {
  triggers: ['http'],
  async configured(ctx) {
    const secret = ctx.secret('SUPABASE_HOOK_SECRET_ARN');
    const allowed = await supabaseDelivery(ctx, ctx.email('low'), secret)();
    expect(allowed.status, allowed.text).toBe(200);
    expect(allowed.json).toEqual({});

    const send = supabaseDelivery(ctx, ctx.email('high'), secret);
    const calls = ctx.sandbox.stats().byEndpoint.email;
    const refused = await send(); // Supabase reads a hook's body only on 200 and 202
    expect(refused.status, refused.text).toBe(200);
    expect(refused.json).toEqual({
      error: { http_code: 403, message: ctx.policy('supabase').user_message },
    });
    const again = await send(); // the same delivery again: same answer, no second Defastra call
    expect(again.status).toBe(200);
    expect(again.json).toEqual(refused.json);
    expect(ctx.sandbox.stats().byEndpoint.email - calls).toBe(1);

    const forged = await supabaseDelivery(
      ctx,
      ctx.email('low'),
      `v1,whsec_${randomBytes(32).toString('base64')}`,
    )();
    expect(forged.status).toBe(401);
  },
  async firstDeploy(ctx) {
    // The hook secret is still the placeholder: Supabase's signature cannot be checked, so 401.
    const answer = await supabaseDelivery(
      ctx,
      ctx.email('low'),
      `v1,whsec_${randomBytes(32).toString('base64')}`,
    )();
    expect(answer.status).toBe(401);
    expect(answer.json.error.code).toBe('unauthorized');
  },
};

const cognitoPreSignUp: Scenario = {
  triggers: ['cognito'],
  async configured(ctx) {
    const allow = preSignUpEvent(randomUUID(), { email: ctx.email('low'), phone_number: '+33600000001' });
    const allowed = await ctx.invoke<unknown>(allow);
    expect(allowed.ok, allowed.error?.errorMessage).toBe(true);
    expect(allowed.result).toEqual(allow); // the event back, unchanged: Cognito goes on with the sign-up

    const refused = await ctx.invoke(preSignUpEvent(randomUUID(), { email: ctx.email('high') }));
    expect(refused.ok).toBe(false);
    // Cognito shows "PreSignUp failed with error <errorMessage>." to the user.
    expect(refused.error).toEqual({
      errorType: 'SignupRejectedError',
      errorMessage: ctx.policy('cognito').user_message,
    });
  },
  async firstDeploy(ctx) {
    // The Defastra key is still the placeholder: NO_KEY, and on_error.cognito decides.
    const event = preSignUpEvent(randomUUID(), { email: ctx.email('low') });
    const answer = await ctx.invoke<unknown>(event);
    if (ctx.policy('cognito').on_error.cognito === 'block') expect(answer.ok).toBe(false);
    else expect(answer.result).toEqual(event);
  },
};

const verdictEvents: Scenario = {
  triggers: ['stream'],
  async configured(ctx) {
    // The stream of the table the other functions wrote: every item an INSERT (the reviewed verdict with its
    // image before the review), the review a MODIFY, one TTL expiry a REMOVE; Lambda's filter picks the batch.
    const items = await ctx.table.scan();
    const { reviewed } = ctx.shared;
    expect(reviewed, 'the api scenario reviews a verdict first').toBeDefined();
    const tableArn = `arn:aws:dynamodb:eu-west-1:123456789012:table/${ctx.table.name}`;
    const records = items.map((item) =>
      streamRecord(
        'INSERT',
        { newImage: item.pk?.S === `V#${reviewed!.id}` ? reviewed!.before : item },
        tableArn,
      ),
    );
    records.push(streamRecord('MODIFY', { oldImage: reviewed!.before, newImage: reviewed!.after }, tableArn));
    const expired = items.find((item) => item.pk?.S?.startsWith('V#') && item.pk.S !== `V#${reviewed!.id}`)!;
    records.push(streamRecord('REMOVE', { oldImage: expired }, tableArn));
    const [mapping] = streamMappingsOf(ctx.template, ctx.fn.logicalId);
    expect(mapping?.reportsBatchItemFailures).toBe(true);
    const batch = records.filter((record) =>
      mapping!.filters.some((filter) => matchesFilter(filter, record)),
    );
    expect(batch.length).toBeLessThan(records.length); // markers, cache and counters never reach it

    const answer = await ctx.invoke<{ batchItemFailures: unknown[] }>({ Records: batch });
    expect(answer.ok, answer.error?.errorMessage).toBe(true);
    expect(answer.result).toEqual({ batchItemFailures: [] });

    const entries = ctx.bus.entries();
    for (const entry of entries) {
      expect(entry).toMatchObject({ EventBusName: ctx.environment.EVENT_BUS_NAME, Source: 'signup-gate' });
    }
    const published = (type: string) =>
      entries
        .filter((e) => e.DetailType === type)
        .map((e) => JSON.parse(e.Detail ?? '{}').verdict_id as string);
    const verdictItems = items.filter((item) => item.pk?.S?.startsWith('V#'));
    const publishable = verdictItems.filter((item) => ['review', 'block'].includes(item.decision?.S ?? ''));
    expect(published('Verdict Created').sort()).toEqual(publishable.map((i) => i.pk!.S!.slice(2)).sort());
    for (const { id, decision } of ctx.shared.verdicts) {
      expect(published('Verdict Created').includes(id), `${decision} verdict ${id}`).toBe(
        decision !== 'allow',
      );
    }
    expect(published('Verdict Reviewed')).toEqual([reviewed!.id]);
    const text = JSON.stringify(entries);
    for (const email of ctx.shared.rawEmails) expect(text).not.toContain(email);

    // The statistics of the new verdicts: no screening counted them (no spend cap), this function adds them once
    // each (the MODIFY of the review adds nothing), merged per hour and shard.
    const counters = (await ctx.table.scan()).filter((item) => STATS_PARTITIONS.has(item.pk?.S ?? ''));
    const decisions = counters
      .map((item) => itemToCounts(item as Item))
      .reduce((n, counts) => n + (counts.allow ?? 0) + (counts.review ?? 0) + (counts.block ?? 0), 0);
    expect(decisions).toBe(verdictItems.length);
  },
};

/** The event an EventBridge schedule rule sends. */
const scheduledEvent = () => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: new Date().toISOString(),
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/SignupGate-RescreenSchedule'],
  detail: {},
});

const rescreen: Scenario = {
  triggers: ['schedule'],
  async configured(ctx) {
    // One run: the due re-screens (those the other scenarios left, if any) are tried and the run reports itself.
    const answer = await ctx.invoke<Record<string, unknown>>(scheduledEvent());
    expect(answer.ok, answer.error?.errorMessage).toBe(true);
    expect(answer.result).toMatchObject({ due: expect.any(Number), gaveUp: 0, stopped: null });
    const text = JSON.stringify(answer);
    for (const email of ctx.shared.rawEmails) expect(text).not.toContain(email);
  },
  async firstDeploy(ctx) {
    // The re-screen key is generated at deploy: a run works at once (nothing is due yet).
    const answer = await ctx.invoke<Record<string, unknown>>(scheduledEvent());
    expect(answer.ok, answer.error?.errorMessage).toBe(true);
    expect(answer.result).toMatchObject({ due: expect.any(Number), stopped: null });
  },
};

/** The partition key values of the statistics counter items. */
const STATS_PARTITIONS = new Set(allShards(STATS_SHARDS).map(statsPartition));
/** The stream records of the table as the other functions left it, the reviewed verdict as INSERT then MODIFY. */
const tableRecords = async (ctx: ScenarioContext) => {
  const items = await ctx.table.scan();
  const { reviewed } = ctx.shared;
  expect(reviewed, 'the api scenario reviews a verdict first').toBeDefined();
  const tableArn = `arn:aws:dynamodb:eu-west-1:123456789012:table/${ctx.table.name}`;
  const records = items.map((item) =>
    streamRecord(
      'INSERT',
      { newImage: item.pk?.S === `V#${reviewed!.id}` ? reviewed!.before : item },
      tableArn,
    ),
  );
  records.push(streamRecord('MODIFY', { oldImage: reviewed!.before, newImage: reviewed!.after }, tableArn));
  return { items, records, tableArn };
};

/**
 * The enforcer with the shipped policy (enforce off for every source): a rejected Auth0 verdict, every verdict the
 * other functions stored and the reviewed one go through it; nothing is enforced, nothing recorded, nothing retried.
 * Its secrets point at a port where nothing listens, so a wrong attempt would show as a recorded failure.
 */
const enforcerRun = async (ctx: ScenarioContext) => {
  for (const source of ['auth0', 'supabase', 'cognito', 'stripe', 'clerk'] as const) {
    expect(ctx.policy(source).enforce[source], `enforce.${source} in the shipped policy`).toBe(false);
  }
  const { items, records, tableArn } = await tableRecords(ctx);
  const auth0 = items.find((item) => item.pk?.S?.startsWith('V#') && item.source?.S === 'auth0');
  expect(auth0, 'an Auth0 verdict from the auth0-hook scenario').toBeDefined();
  const review = {
    outcome: 'reject',
    note: null,
    reviewed_at: new Date().toISOString(),
    reviewed_by: OPERATOR_ARN,
  };
  records.push(
    streamRecord(
      'MODIFY',
      { oldImage: auth0!, newImage: { ...auth0!, review: { S: JSON.stringify(review) } } },
      tableArn,
    ),
  );
  const [mapping] = streamMappingsOf(ctx.template, ctx.fn.logicalId);
  expect(mapping?.reportsBatchItemFailures).toBe(true);
  const batch = records.filter((record) => mapping!.filters.some((filter) => matchesFilter(filter, record)));
  expect(batch.length).toBeGreaterThan(2);
  const answer = await ctx.invoke<{ batchItemFailures: unknown[] }>({ Records: batch });
  expect(answer.ok, answer.error?.errorMessage).toBe(true);
  expect(answer.result).toEqual({ batchItemFailures: [] });
  for (const item of await ctx.table.scan()) expect(item.enforcement, item.pk?.S).toBeUndefined();
};

const enforcer: Scenario = {
  triggers: ['stream'],
  configured: enforcerRun,
  // Placeholders in every provider secret: with enforcement off nothing reads them, and nothing fails.
  firstDeploy: enforcerRun,
};

/** Scenarios by function name (the Powertools service name of each function in the template). */
export const SCENARIOS: Record<string, Scenario> = {
  api,
  'auth0-hook': auth0Hook,
  'stripe-hook': stripeHook,
  'supabase-hook': supabaseHook,
  'cognito-pre-signup': cognitoPreSignUp,
  'verdict-events': verdictEvents,
  rescreen,
  ...PROVIDER_SCENARIOS,
  enforcer,
};

/** Scan of a whole table (the test tables are small). */
export const scanAll = async (
  client: { send: (command: ScanCommand) => Promise<{ Items?: Image[]; LastEvaluatedKey?: Image }> },
  tableName: string,
): Promise<Image[]> => {
  const items: Image[] = [];
  let start: Image | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
};
