/**
 * The review console at its edges, in headless Chromium at 1400 px and at 390 px (a phone): styled login and
 * refusal pages, no stale loading line, the status line away from the action buttons and cleared on a new
 * view, undo for review decisions, dates with their year, the API's wording kept out of the page, a clear
 * "API unreachable" state that recovers when the API comes up, and a layout that holds at 390 px (collapsed
 * navigation, no sideways scrolling, filter labels apart). With CONSOLE_SCREENSHOTS=1 it saves the narrow
 * screenshots (and the unreachable state) to docs/console/.
 */
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBearerTarget } from '../../cli/bearer-target.js';
import { type ConsoleServer, startConsoleServer } from '../../cli/console/server.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { LOW_CONTRAST_TEXT, RECORD_CSP_VIOLATIONS, UNLABELLED_CONTROLS } from './page-checks.js';
import {
  api,
  buildAssets,
  type ConsoleHarness,
  launchChromium,
  SCREENSHOT_DIR,
  SIGNUPS_POLICY,
  screenshotsWanted,
  seedSignups,
  startConsole,
} from './support.js';

const WIDE = { width: 1400, height: 900 };
const NARROW = { width: 390, height: 844 };

let server: TestServer;
let assets: Awaited<ReturnType<typeof buildAssets>>;
let harness: ConsoleHarness;
let browser: Browser;
const contexts: BrowserContext[] = [];
const problems: string[] = [];

const until = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 50 });

/** A logged-in page at `viewport`, recording console errors and CSP violations. */
const openConsole = async (viewport: { width: number; height: number }, url: string): Promise<Page> => {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'UTC' });
  contexts.push(context);
  await context.addInitScript({ content: RECORD_CSP_VIOLATIONS });
  context.setDefaultTimeout(5000);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of (400|502)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(url);
  return page;
};

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

const go = async (page: Page, label: string, title: string) => {
  const nav = page.getByRole('navigation', { name: 'Views' });
  const menu = nav.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await nav.getByRole('link', { name: label }).click();
  await until(() => heading(page)).toBe(title);
};

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const overlap = (a: Box, b: Box): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const box = async (page: Page, selector: string): Promise<Box> => {
  const found = await page.locator(selector).first().boundingBox();
  if (!found) throw new Error(`${selector} is not on screen`);
  return found;
};

/** Nothing wider than the window: the page never scrolls sideways. */
const sidewaysOverflow = (page: Page) =>
  page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

const reviewPosts = () => harness.target.forwarded.filter((f) => /^POST \/verdicts\/\w+\/review$/.test(f));

const shoot = async (page: Page, name: string) => {
  if (!screenshotsWanted) return;
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
};

beforeAll(async () => {
  [server, assets, browser] = await Promise.all([
    startTestServer({ policy: SIGNUPS_POLICY }),
    buildAssets(),
    launchChromium(),
  ]);
  await seedSignups(server);
  // One entry that expires in another year, one this year.
  const thisYear = new Date().getUTCFullYear();
  for (const [value, expires] of [
    ['mallory@example.net', '2030-01-01T00:00:00.000Z'],
    [
      'trudy@example.net',
      new Date(Math.max(Date.now() + 3_600_000, Date.UTC(thisYear, 11, 31, 22))).toISOString(),
    ],
  ] as const) {
    const res = await api(server, 'POST', '/lists', {
      kind: 'email',
      value,
      action: 'block',
      expires_at: expires,
    });
    expect(res.status).toBe(201);
  }
  harness = await startConsole(server, assets.dir);
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await harness?.close();
  await server?.close();
  await assets?.remove();
});

describe('pages without a session', () => {
  it('a used link, a missing code and no session: styled pages at 1400 px and 390 px', async () => {
    const used = harness.console.loginUrl();
    expect((await fetch(used, { redirect: 'manual' })).status).toBe(303);
    const context = await browser.newContext({ viewport: WIDE });
    contexts.push(context);
    const page = await context.newPage();
    for (const viewport of [WIDE, NARROW]) {
      await page.setViewportSize(viewport);
      for (const [path, title] of [
        [used.slice(harness.console.url.length), 'This login link is not valid'],
        ['/login', 'This address needs a login code'],
        ['/', 'Not signed in'],
      ] as const) {
        expect((await page.goto(`${harness.console.url}${path}`))?.status()).toBe(401);
        expect(await heading(page)).toBe(title);
        const look = await page.evaluate<{ font: string; card: string; border: string }>(`(() => {
          const card = getComputedStyle(document.querySelector('main.ended'));
          return { font: getComputedStyle(document.querySelector('h1')).fontFamily, card: card.backgroundColor, border: card.borderTopStyle };
        })()`);
        expect(look.font).toMatch(/system-ui/); // the console's type, not the browser's serif default
        expect(look.card).toBe('rgb(255, 255, 255)');
        expect(look.border).toBe('solid');
        expect(await page.getByText('npx signup-gate console').count()).toBe(1);
        expect(await sidewaysOverflow(page), `${path} at ${viewport.width} px`).toBeLessThanOrEqual(0);
      }
    }
  });
});

describe('at 1400 px', () => {
  let page: Page;
  beforeAll(async () => {
    page = await openConsole(WIDE, harness.console.loginUrl());
    await page.getByRole('heading', { level: 1, name: 'Review queue' }).waitFor();
  });

  it('leaves no "Loading the console…" line under the app', async () => {
    await until(() => page.locator('.queue-item').count()).toBe(4);
    expect(await page.locator('.booting').count()).toBe(0);
    expect(await page.evaluate<string>('document.body.textContent')).not.toContain('Loading the console');
    // The window itself never scrolls: the sidebar runs the full height.
    expect(await page.evaluate<number>('document.documentElement.scrollHeight - window.innerHeight')).toBe(0);
  });

  it('a decision can be undone: nothing is sent, and the verdict is back with its note', async () => {
    const items = page.getByRole('list', { name: 'Pending verdicts' }).getByRole('button');
    const before = reviewPosts().length;
    const title = (await page.locator('.detail-title').textContent()) ?? '';
    await page.keyboard.press('n');
    await page.keyboard.type('looks odd');
    await page.keyboard.press('Escape');
    await page.keyboard.press('r');
    await until(() => items.count()).toBe(3);
    const toast = page.locator('.toast');
    await until(() => toast.textContent()).toContain(`Rejected ${title}`);
    // The status line sits in the top bar, clear of the Approve and Reject buttons.
    const toastBox = await box(page, '.toast');
    expect(overlap(toastBox, await box(page, '.topbar'))).toBe(true);
    for (const name of ['.btn-approve', '.btn-reject'])
      expect(overlap(toastBox, await box(page, name))).toBe(false);

    await toast.getByRole('button', { name: /Undo/ }).click();
    await until(() => items.count()).toBe(4);
    await until(() => page.locator('.detail-title').textContent()).toBe(title);
    expect(await page.getByLabel(/Note/).inputValue()).toBe('looks odd');
    await until(() => toast.textContent()).toContain('Undone');
    // Leaving the view sends any decision still waiting: there is none.
    await go(page, 'Overview', 'Overview');
    await go(page, 'Review queue', 'Review queue');
    expect(reviewPosts().length).toBe(before);
  });

  it('u undoes by keyboard; a new view sends the waiting decision at once and clears the status line', async () => {
    const items = page.getByRole('list', { name: 'Pending verdicts' }).getByRole('button');
    await until(() => items.count()).toBe(4);
    const before = reviewPosts().length;
    await page.keyboard.press('a');
    await until(() => items.count()).toBe(3);
    await page.keyboard.press('u');
    await until(() => items.count()).toBe(4);
    expect(reviewPosts().length).toBe(before);

    const id = (await page.locator('.facts dd').first().textContent()) ?? '';
    const from = harness.target.forwarded.length;
    await page.keyboard.press('a');
    await until(() => page.locator('.toast').count()).toBe(1);
    await go(page, 'Verdicts', 'Verdicts');
    expect(await page.locator('.toast').count()).toBe(0);
    await go(page, 'Overview', 'Overview');
    await until(() => harness.target.forwarded.slice(from).some((f) => f.startsWith('GET /stats'))).toBe(
      true,
    );
    await until(() => reviewPosts().length).toBe(before + 1);
    // Sent when the view changed, before the next view's first call: not at the end of the undo window.
    const calls = harness.target.forwarded.slice(from);
    const sent = calls.indexOf(`POST /verdicts/${id}/review`);
    expect(sent).toBeGreaterThanOrEqual(0);
    expect(sent).toBeLessThan(calls.findIndex((f) => f.startsWith('GET /stats')));
    const verdict = (await (await api(server, 'GET', `/verdicts/${id}`)).json()) as {
      review: { outcome: string };
    };
    expect(verdict.review.outcome).toBe('approve');
  });

  it('dates carry their year when it is not this one', async () => {
    await go(page, 'Lists', 'Allow and block lists');
    const rows = page.locator('table.entries tbody tr');
    await until(() =>
      rows.filter({ hasText: 'm***@example.net' }).locator('.cell-expires').textContent(),
    ).toBe('Jan 1, 2030, 12:00 AM');
    const thisYear = String(new Date().getUTCFullYear());
    const soon = await rows.filter({ hasText: 't***@example.net' }).locator('.cell-expires').textContent();
    expect(soon).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{1,2}:\d{2} [AP]M$/);
    expect(soon).not.toContain(thisYear);
  });

  it("says what is wrong in the analyst's words, never the API's", async () => {
    const form = page.getByRole('form', { name: 'Add an entry' });
    await form.getByLabel('Kind').selectOption('ip');
    await form.getByLabel('Value').fill('nope');
    await form.getByRole('button', { name: 'Add entry' }).click();
    const alert = form.getByRole('alert');
    await until(() => alert.textContent()).toBe(
      'That is not a valid IP address: enter an IPv4 or IPv6 address, like 203.0.113.7.',
    );
    await form.getByLabel('Kind').selectOption('email');
    await form.getByLabel('Value').fill('late@example.com');
    await form.getByLabel(/Expires/).fill('2020-01-01T10:00');
    await form.getByRole('button', { name: 'Add entry' }).click();
    await until(() => alert.textContent()).toBe('The expiry date must be in the future.');
    expect(await alert.textContent()).not.toMatch(/body field|"value"|expires_at|invalid_request/);
    await form.getByLabel(/Expires/).fill('');
  });

  it('ran without CSP violations or console errors', async () => {
    expect(await page.evaluate<string[]>('window.__cspViolations')).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe('at 390 px', () => {
  let page: Page;
  beforeAll(async () => {
    page = await openConsole(NARROW, harness.console.loginUrl());
    await page.getByRole('heading', { level: 1, name: 'Review queue' }).waitFor();
  });

  it('folds the navigation into a menu', async () => {
    const nav = page.getByRole('navigation', { name: 'Views' });
    const menu = nav.getByRole('button', { name: 'Menu' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await nav.getByRole('link', { name: 'Verdicts' }).isVisible()).toBe(false);
    // The collapsed bar leaves the screen to the view.
    expect((await box(page, '.sidebar')).height).toBeLessThan(70);
    await menu.click();
    expect(await nav.getByRole('button', { name: 'Close' }).getAttribute('aria-expanded')).toBe('true');
    expect(await nav.getByRole('link', { name: 'Verdicts' }).isVisible()).toBe(true);
    await nav.getByRole('button', { name: 'Close' }).click();
    expect(await nav.getByRole('link', { name: 'Verdicts' }).isVisible()).toBe(false);
  });

  it('the queue: list, detail and the decision buttons in reach; a decision and its undo', async () => {
    const items = page.getByRole('list', { name: 'Pending verdicts' }).getByRole('button');
    await until(() => items.count()).toBeGreaterThan(0);
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    const approve = page.getByRole('button', { name: /^Approve/ });
    const viewportBottom = NARROW.height;
    const approveBox = await box(page, '.btn-approve');
    expect(approveBox.y + approveBox.height).toBeLessThanOrEqual(viewportBottom);
    await expectReadable(page, 'queue');
    await shoot(page, 'queue-narrow');
    const count = await items.count();
    await approve.click();
    await until(() => items.count()).toBe(count - 1);
    const toastBox = await box(page, '.toast');
    for (const name of ['.btn-approve', '.btn-reject']) {
      const button = await page.locator(name).first().boundingBox();
      if (button) expect(overlap(toastBox, button)).toBe(false);
    }
    await page.locator('.toast').getByRole('button', { name: /Undo/ }).click();
    await until(() => items.count()).toBe(count);
  });

  it('the verdicts filters: two columns whose labels never overlap', async () => {
    await go(page, 'Verdicts', 'Verdicts');
    await until(() => page.locator('table.verdicts tbody tr').count()).toBeGreaterThan(0);
    const labels = await page.locator('form.filters > label').evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height, text: el.textContent ?? '' };
      }),
    );
    expect(labels.length).toBe(7);
    for (const [i, a] of labels.entries()) {
      expect(a.x + a.width, a.text).toBeLessThanOrEqual(NARROW.width);
      for (const b of labels.slice(i + 1)) expect(overlap(a, b), `${a.text} / ${b.text}`).toBe(false);
    }
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    await expectReadable(page, 'verdicts');
    await shoot(page, 'verdicts-narrow');
  });

  for (const [label, title, name] of [
    ['Overview', 'Overview', 'overview-narrow'],
    ['Lists', 'Allow and block lists', 'lists-narrow'],
    ['Policy', 'Policy: versions, diff, rollback', 'policy-narrow'],
    ['What-if', 'What-if: replay a candidate policy', 'what-if-narrow'],
  ] as const) {
    it(`${label}: one column, nothing wider than the screen`, async () => {
      await go(page, label, title);
      if (label === 'Overview') await until(() => page.locator('.uplot canvas').count()).toBe(4);
      if (label === 'Lists')
        await until(() => page.locator('table.entries tbody tr').count()).toBeGreaterThan(0);
      if (label === 'Policy') {
        await until(() => page.getByRole('region', { name: 'History' }).locator('tbody tr').count()).toBe(1);
        // No shadow is set: GET /policy/shadow answers 404, which Chromium logs as a failed resource.
        problems.splice(0, problems.length, ...problems.filter((p) => !p.includes('status of 404')));
      }
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
      await expectReadable(page, label);
      await shoot(page, name);
    });
  }

  it('ran without CSP violations or console errors', async () => {
    expect(await page.evaluate<string[]>('window.__cspViolations')).toEqual([]);
    expect(problems).toEqual([]);
  });
});

describe('against an API that does not answer', () => {
  let dead: ConsoleServer;
  let port: number;
  let late: TestServer | undefined;
  const token = 'sg_dev_edges_late_api';
  beforeAll(async () => {
    const probe = createServer();
    port = await new Promise<number>((resolve) =>
      probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)),
    );
    await new Promise((resolve) => probe.close(resolve));
    dead = await startConsoleServer({
      target: createBearerTarget(`http://127.0.0.1:${port}`, token),
      port: 0,
      assetsDir: assets.dir,
    });
  });
  afterAll(async () => {
    await dead?.close();
    await late?.close();
  });

  it('says the API is unreachable instead of showing an empty queue, and recovers once it answers', async () => {
    const page = await openConsole(WIDE, dead.loginUrl());
    const state = page.getByRole('alert').filter({ hasText: 'The API is unreachable' });
    for (const viewport of [WIDE, NARROW]) {
      await page.setViewportSize(viewport);
      await until(() => state.isVisible()).toBe(true);
      const text = (await state.textContent()) ?? '';
      expect(text).toContain(`http://127.0.0.1:${port}`);
      expect(text).toContain('npm start');
      expect(await page.getByText('The queue is empty').count()).toBe(0);
      expect(await page.getByText('Waiting for review').count()).toBe(0);
      expect(await page.locator('.nav-count').count()).toBe(0);
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
      await expectReadable(page, `unreachable at ${viewport.width} px`);
    }
    await page.setViewportSize(WIDE);
    await shoot(page, 'unreachable');

    late = await startTestServer({ env: { PORT: String(port), API_TOKEN: token } });
    await expect
      .poll(() => page.getByText('Waiting for review').isVisible(), { timeout: 20_000, interval: 100 })
      .toBe(true);
    expect(await page.getByText('The API is unreachable').count()).toBe(0);
    await until(() => page.getByText('The queue is empty.').isVisible()).toBe(true);
  }, 40_000);
});

/** Every control named, all text readable (the checks of browser.test.ts). */
async function expectReadable(page: Page, view: string): Promise<void> {
  expect(await page.evaluate<string[]>(UNLABELLED_CONTROLS), `${view}: unlabelled controls`).toEqual([]);
  expect(await page.evaluate<string[]>(LOW_CONTRAST_TEXT), `${view}: low contrast`).toEqual([]);
}
