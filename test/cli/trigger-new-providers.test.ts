/**
 * `signup-gate trigger` for Okta, Kratos, Paddle, Clerk, Firebase and WorkOS: the built CLI against the real local
 * server, one allowed and one blocked sign-up per provider, each verdict read back through the API. It runs once the
 * routes are in the route table (it skips itself on a branch without them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireVerdict } from '../../cli/wire.js';
import { ROUTES } from '../../functions/routes.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { type CliResult, cliEnv, ensureCliBuilt, runCli } from './run-cli.js';

const NEW_PROVIDERS = ['okta', 'kratos', 'paddle', 'clerk', 'firebase', 'workos'] as const;
const routed = NEW_PROVIDERS.every((p) => ROUTES.some((r) => r.path === `/hooks/${p}`));

let server: TestServer;

const cli = (args: string[]): Promise<CliResult> =>
  runCli(['--url', server.url, ...args], { env: cliEnv({ DATA_DIR: server.dataDir }) });

const explain = (r: CliResult) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

const storedVerdict = async (result: CliResult): Promise<WireVerdict> => {
  const id = /^verdict\s+([0-9A-Z]{26})$/m.exec(result.stdout)?.[1];
  expect(id, explain(result)).toBeDefined();
  const response = await fetch(`${server.url}/verdicts/${id}`, {
    headers: { authorization: `Bearer ${server.apiToken}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as WireVerdict;
};

/** What each provider does with an allow and a block, as the summary says it. */
const EFFECTS: Record<(typeof NEW_PROVIDERS)[number], { allow: RegExp; block: RegExp; blockExit: number }> = {
  okta: {
    allow: /Okta goes on/,
    block: /Okta denies the registration and shows: "We could not/,
    blockExit: 0,
  },
  kratos: {
    allow: /Kratos goes on/,
    block: /Kratos interrupts the registration and shows: "We could not/,
    blockExit: 1,
  },
  paddle: { allow: /acknowledged \(200\)/, block: /acknowledged \(200\)/, blockExit: 0 },
  clerk: { allow: /Svix is answered 200/, block: /the user already exists in Clerk/, blockExit: 0 },
  firebase: {
    allow: /Firebase goes on/,
    block: /permission-denied and Firebase shows: "We could not/,
    blockExit: 0,
  },
  workos: {
    allow: /WorkOS goes on/,
    block: /WorkOS denies the registration and shows: "We could not/,
    blockExit: 0,
  },
};

describe.skipIf(!routed)('signup-gate trigger, the newer providers', () => {
  beforeAll(async () => {
    [server] = await Promise.all([startTestServer(), ensureCliBuilt()]);
  });
  afterAll(() => server?.close());

  for (const provider of NEW_PROVIDERS) {
    it(`${provider}: an allowed and a blocked sign-up, each verdict stored under ${provider}`, async () => {
      const [allowed, blocked] = await Promise.all([
        cli(['trigger', provider]),
        cli(['trigger', provider, '--decision-hint', 'block']),
      ]);
      expect(allowed.code, explain(allowed)).toBe(0);
      expect(allowed.stdout).toMatch(
        new RegExp(`^${provider} \\S+ → http://127\\.0\\.0\\.1:\\d+/hooks/${provider}: 200$`, 'm'),
      );
      expect(allowed.stdout).toMatch(EFFECTS[provider].allow);
      expect(await storedVerdict(allowed)).toMatchObject({ source: provider, decision: 'allow' });

      expect(blocked.code, explain(blocked)).toBe(EFFECTS[provider].blockExit);
      expect(blocked.stdout).toMatch(EFFECTS[provider].block);
      expect(await storedVerdict(blocked)).toMatchObject({ source: provider, decision: 'block' });
    });
  }
});
