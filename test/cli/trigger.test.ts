/**
 * `signup-gate trigger`: the built CLI against the real local server (embedded store, Defastra sandbox), one run per
 * provider route, each signed with the secret the CLI finds in the server's DATA_DIR; the verdict each stored is
 * read back through the API. Plus an unknown provider, a missing secret, a wrong one, and `--json`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireVerdict } from '../../cli/wire.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { type CliResult, cliEnv, ensureCliBuilt, jsonOf, runCli } from './run-cli.js';

let server: TestServer;
let emptyDir: string;

const cli = (args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> =>
  runCli(['--url', server.url, ...args], { env: cliEnv({ DATA_DIR: server.dataDir, ...env }) });

const explain = (r: CliResult) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

/** The verdict id printed by a human summary, read back through the API. */
const storedVerdict = async (result: CliResult): Promise<WireVerdict> => {
  const id = /^verdict\s+([0-9A-Z]{26})$/m.exec(result.stdout)?.[1];
  expect(id, explain(result)).toBeDefined();
  const response = await fetch(`${server.url}/verdicts/${id}`, {
    headers: { authorization: `Bearer ${server.apiToken}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as WireVerdict;
};

beforeAll(async () => {
  [server, emptyDir] = await Promise.all([
    startTestServer(),
    mkdtemp(join(tmpdir(), 'signup-gate-trigger-empty-')),
    ensureCliBuilt(),
  ]).then(([s, dir]) => [s, dir] as const);
});
afterAll(async () => {
  await server?.close();
  if (emptyDir) await rm(emptyDir, { recursive: true, force: true });
});

describe('signup-gate trigger, per provider', () => {
  it('auth0: a blocked pre-user-registration, the Action refusing with the user message', async () => {
    const result = await cli(['trigger', 'auth0', '--decision-hint', 'block']);
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout).toMatch(
      /^auth0 pre-user-registration → http:\/\/127\.0\.0\.1:\d+\/hooks\/auth0: 200$/m,
    );
    expect(result.stdout).toMatch(/^decision\s+block$/m);
    expect(result.stdout).toMatch(/^action\s+block$/m);
    expect(result.stdout).toMatch(/^reasons\s+email_risk/m);
    expect(result.stdout).toContain(
      'the Action refuses the sign-up and shows: "We could not complete your sign-up."',
    );
    const verdict = await storedVerdict(result);
    expect(verdict).toMatchObject({ source: 'auth0', decision: 'block', subject_ref: null });
    expect(verdict.source_ref).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('auth0 --post-login: the user id becomes the subject', async () => {
    const result = await cli(['trigger', 'auth0', '--post-login', '--email', 'jane.doe@example.org']);
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout).toMatch(/^auth0 post-login → /m);
    expect(result.stdout).toContain('the Action lets the sign-up go on');
    const verdict = await storedVerdict(result);
    expect(verdict).toMatchObject({ source: 'auth0', decision: 'allow' });
    expect(verdict.subject_ref).toMatch(/^google-oauth2\|\d{21}$/);
  });

  it('stripe: customer.created, signed with the library, screened with its customer as subject', async () => {
    const result = await cli(['trigger', 'stripe', '--decision-hint', 'review']);
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout).toMatch(/^stripe customer\.created → .*\/hooks\/stripe: 200$/m);
    expect(result.stdout).toMatch(/^decision\s+review$/m);
    const verdict = await storedVerdict(result);
    expect(verdict).toMatchObject({ source: 'stripe', decision: 'review' });
    expect(verdict.source_ref).toMatch(/^evt_/);
    expect(verdict.subject_ref).toMatch(/^cus_/);
  });

  it('supabase: an allowed sign-up, the verdict found through the API', async () => {
    const result = await cli(['trigger', 'supabase', '--phone', '+33 6 00 00 00 01']);
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout).toContain('Supabase goes on with the sign-up');
    const verdict = await storedVerdict(result);
    expect(verdict).toMatchObject({ source: 'supabase', decision: 'allow', email: null });
    expect(verdict.phone?.masked).toBe('+33*******01');
  });

  it('supabase: a block is Supabase refusing the sign-up', async () => {
    const result = await cli(['trigger', 'supabase', '--decision-hint', 'block']);
    expect(result.stdout, explain(result)).toContain(
      'Supabase refuses the sign-up and shows: "We could not complete your sign-up."',
    );
    expect((await storedVerdict(result)).decision).toBe('block');
    // Exit 0 only for a 2xx answer: the route refuses with 403 where Supabase reads the refusal from a 403.
    expect(result.code).toBe(result.stdout.includes(': 200\n') ? 0 : 1);
  });

  it('cognito: through the local invoke route with the bearer token; a block is the trigger throwing', async () => {
    const allowed = await cli(['trigger', 'cognito']);
    expect(allowed.code, explain(allowed)).toBe(0);
    expect(allowed.stdout).toMatch(/^cognito PreSignUp_SignUp → .*\/invoke\/cognito-pre-signup: 200$/m);
    expect(allowed.stdout).toContain('Cognito goes on with the sign-up');
    expect(await storedVerdict(allowed)).toMatchObject({ source: 'cognito', decision: 'allow' });

    const blocked = await cli(['trigger', 'cognito', '--decision-hint', 'block']);
    expect(blocked.code, explain(blocked)).toBe(1);
    expect(blocked.stdout).toMatch(/: 400$/m);
    expect(blocked.stdout).toContain('Cognito refuses the sign-up');
    expect(await storedVerdict(blocked)).toMatchObject({ source: 'cognito', decision: 'block' });
  });
});

describe('signup-gate trigger, output and errors', () => {
  it('--json prints the answer as the route gave it', async () => {
    const result = await cli(['trigger', 'auth0', '--decision-hint', 'review', '--json']);
    expect(result.code, explain(result)).toBe(0);
    const answer = jsonOf<WireVerdict & { user_message: string }>(result);
    expect(answer).toMatchObject({ source: 'auth0', decision: 'review', action: 'review' });
    expect(answer.user_message).toBe('We could not complete your sign-up.');
  });

  it('a new identity per run: the same hint repeated stays that decision (no velocity)', async () => {
    const runs = await Promise.all([1, 2, 3, 4].map(() => cli(['trigger', 'stripe', '--json'])));
    expect(runs.map((r) => jsonOf<WireVerdict>(r).decision)).toEqual(['allow', 'allow', 'allow', 'allow']);
  });

  it('an unknown provider is a usage error naming the known ones', async () => {
    const result = await cli(['trigger', 'acme']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'signup-gate: trigger: unknown provider "acme" (one of: auth0, stripe, supabase, cognito, okta, kratos, paddle, clerk, firebase, workos)\n',
    );
  });

  it('--post-login with another provider, and a hint beside an email, are usage errors', async () => {
    const postLogin = await cli(['trigger', 'stripe', '--post-login']);
    expect(postLogin.code).toBe(2);
    expect(postLogin.stderr).toContain('--post-login is for auth0 only');
    const both = await cli(['trigger', 'auth0', '--email', 'a@example.com', '--decision-hint', 'block']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--decision-hint picks an identity');
  });

  it('no secret: says which variable and file it looked for, and sends nothing', async () => {
    const result = await cli(['trigger', 'stripe'], { DATA_DIR: emptyDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `signup-gate: no Stripe webhook signing secret: STRIPE_WEBHOOK_SECRET is not set and there is no ${join(emptyDir, 'dev-secrets.json')}: is DATA_DIR the one npm start uses? Or set STRIPE_WEBHOOK_SECRET\n`,
    );
    expect(result.stdout).toBe('');
  });

  it('a wrong secret: the refusal and where the secret came from, never the secret', async () => {
    const wrong = 'sg_auth0_not-the-servers-secret';
    const result = await cli(['trigger', 'auth0'], { AUTH0_HOOK_SECRET: wrong });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^signup-gate: trigger auth0: 401 unauthorized: .*the secret came from AUTH0_HOOK_SECRET/,
    );
    expect(result.stderr + result.stdout).not.toContain(wrong);
  });
});
