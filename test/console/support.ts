/**
 * Console test support: the page built into a temp folder, the console server in-process against a real local
 * server (bearer target, as `npx signup-gate console` uses locally), and headless Debian Chromium driven by
 * playwright-core. Nothing is mocked: the only stand-in is the clock, moved forward to expire login codes.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { createBearerTarget } from '../../cli/bearer-target.js';
import { type ConsoleServer, startConsoleServer } from '../../cli/console/server.js';
import type { ApiRequest, ApiTarget } from '../../cli/target.js';
import { buildConsole } from '../../console/build.js';
import type { TestServer } from '../helpers/local-server.js';

/** Debian's package, which `.ci/run` installs when missing; CHROMIUM_PATH points elsewhere on other machines. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium without the background traffic it would otherwise send to a closed network. */
export const launchChromium = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: apt-get install -y chromium (as .ci/run does), or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
};

/** Builds the page once per test file into a temp folder; `remove()` deletes it. */
export const buildAssets = async (): Promise<{ dir: string; remove: () => Promise<void> }> => {
  const dir = await mkdtemp(join(tmpdir(), 'signup-gate-console-'));
  await buildConsole(dir);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
};

/** A target that records what the console forwarded (method and path), around a real target. */
export const recording = (target: ApiTarget): ApiTarget & { forwarded: string[] } => {
  const forwarded: string[] = [];
  return {
    url: target.url,
    auth: target.auth,
    forwarded,
    request: (request: ApiRequest) => {
      forwarded.push(`${request.method} ${request.path}`);
      return target.request(request);
    },
  };
};

export interface ConsoleHarness {
  console: ConsoleServer;
  target: ApiTarget & { forwarded: string[] };
  /** Moves the console's clock forward. */
  advance: (ms: number) => void;
  close: () => Promise<void>;
}

/** The console server for a test server, with a clock the test controls. */
export const startConsole = async (server: TestServer, assetsDir: string): Promise<ConsoleHarness> => {
  let offset = 0;
  const target = recording(createBearerTarget(server.url, server.apiToken));
  const consoleServer = await startConsoleServer({
    target,
    port: 0,
    assetsDir,
    now: () => Date.now() + offset,
  });
  return {
    console: consoleServer,
    target,
    advance: (ms) => {
      offset += ms;
    },
    close: () => consoleServer.close(),
  };
};

/** Calls the API directly (bearer), as a backend would. */
export const api = async (
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> =>
  fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${server.apiToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** Screens one signup through `POST /screen` and returns the verdict. */
export const screen = async (
  server: TestServer,
  body: { email?: string; phone?: string; reference?: string },
): Promise<{ verdict_id: string; decision: string }> => {
  const response = await api(server, 'POST', '/screen', body);
  if (response.status !== 200)
    throw new Error(`screen answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { verdict_id: string; decision: string };
};

/**
 * Signups chosen through the sandbox identities (docs/sandbox.md): 4 reviews, 3 blocks, 22 allows, one of
 * them by the policy file's allow list (never checked, so a candidate without that list cannot re-decide it).
 */
export const SIGNUPS = [
  { email: 'x+medium@example.com', reference: 'user-1001' },
  { email: 'nina@example.net', phone: '+33600000002', reference: 'user-1002' },
  { email: 'omar+medium@example.org', phone: '+33600000001', reference: 'user-1003' },
  { email: 'error-insufficient_funds@example.com', reference: 'user-1004' },
  { email: 'bob+high@example.com', reference: 'user-1005' },
  { email: 'eve@mailinator.com', phone: '+33600000003', reference: 'user-1006' },
  { email: 'ivan+extreme@example.com', phone: '+33600000004', reference: 'user-1007' },
  { email: 'carol@example.org', phone: '+14155552671', reference: 'user-1008' },
  { email: 'vip@example.com', reference: 'user-1009' },
  ...Array.from({ length: 20 }, (_, i) => ({
    email: `customer${i}@example.com`,
    reference: `user-${2000 + i}`,
  })),
];

/** The local server's policy file for SIGNUPS: the built-in defaults plus one allow-listed address. */
export const SIGNUPS_POLICY = { allow: { emails: ['vip@example.com'] } };

/** How many of SIGNUPS are the telling ones (the rest are plain customers). */
const TELLING = 9;

/**
 * Screens SIGNUPS: the plain customers first, so that the nine telling signups are the newest (first page,
 * top of lists); resolves with the telling ones' verdicts, in SIGNUPS order.
 */
export const seedSignups = async (
  server: TestServer,
): Promise<Array<{ verdict_id: string; decision: string }>> => {
  await Promise.all(SIGNUPS.slice(TELLING).map((signup) => screen(server, signup)));
  const seeded: Array<{ verdict_id: string; decision: string }> = [];
  for (const signup of SIGNUPS.slice(0, TELLING)) seeded.push(await screen(server, signup));
  return seeded;
};

/** Where the README's screenshots go; written only with CONSOLE_SCREENSHOTS=1. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../docs/console/', import.meta.url));
export const screenshotsWanted = process.env.CONSOLE_SCREENSHOTS === '1';
