// The dashboard in a real browser: Debian's chromium driven by
// playwright-core, against the real gateway and admin API that
// scripts/dashboard-e2e.sh starts (E2E_URL, E2E_EMAIL, E2E_PASSWORD).
// For each viewport: sign in → create a key → stream a chat in the
// playground → see the request on the overview, in the requests list and in
// the user's usage → [guardrail and audit steps: see GUARDED_STEPS] → sign
// out. Every page is screenshotted and checked with axe-core (no serious or
// critical violation), and the first page's speed is measured.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { governSteps } from './govern.steps.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const URL_ = process.env.E2E_URL ?? 'http://127.0.0.1:8080';
const EMAIL = process.env.E2E_EMAIL;
const PASSWORD = process.env.E2E_PASSWORD;
const ART = process.env.E2E_ARTIFACTS ?? '.data/dashboard-artifacts';
mkdirSync(ART, { recursive: true });

/** Every page: screenshotted and checked by axe at both sizes. Add new pages here. */
export const PAGES = [
  { path: '/overview', heading: 'Overview' },
  { path: '/requests', heading: 'Requests' },
  { path: '/playground', heading: 'Playground' },
  { path: '/models', heading: 'Models' },
  { path: '/keys', heading: 'API keys' },
  { path: '/users', heading: 'Users' },
  { path: '/audit', heading: 'Audit logs' },
  { path: '/guardrails', heading: 'Guardrails' },
  { path: '/billing', heading: 'Billing' },
  { path: '/settings', heading: 'Settings' },
];
const VIEWPORTS = [
  { name: 'mobile', width: 390, height: 844 },
  { name: 'desktop', width: 1440, height: 900 },
];

let browser;
const figures = {};
before(async () => {
  assert.ok(EMAIL && PASSWORD, 'E2E_EMAIL and E2E_PASSWORD are required (scripts/dashboard-e2e.sh sets them)');
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
});
after(async () => {
  await browser?.close();
  writeFileSync(`${ART}/figures.json`, JSON.stringify(figures, null, 2) + '\n');
  console.log('dashboard figures:', JSON.stringify(figures));
});

/** newPage opens a fresh context (no cookies, no cache) that fails the test on CSP violations and page errors. */
async function newPage(vp) {
  const ctx = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  page.problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (4\d\d)/.test(m.text())) page.problems.push(m.text());
  });
  page.on('pageerror', (e) => page.problems.push(String(e)));
  page.on('request', (r) => {
    if (!r.url().startsWith(URL_) && !r.url().startsWith('data:')) page.problems.push('third-party request: ' + r.url());
  });
  return page;
}

async function axe(page, label) {
  await page.evaluate(AXE);
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `axe on ${label}: ${JSON.stringify(bad, null, 1)}`);
}

async function shot(page, vp, name) {
  await page.screenshot({ path: `${ART}/${vp.name}-${name}.png`, fullPage: vp.name === 'desktop' });
}

async function signIn(page) {
  await page.goto(URL_ + '/login');
  await page.getByLabel('E-mail').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
}

/** go navigates as a person would: through the navigation (the drawer on a phone). */
async function go(page, vp, label) {
  if (vp.width < 768) {
    await page.getByRole('button', { name: 'Menu' }).click();
  }
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: label }).waitFor();
}

/** eventually reloads until check passes: usage is written in batches, a moment after the answer. */
async function eventually(page, check, tries = 40) {
  for (let i = 0; ; i++) {
    try {
      return await check();
    } catch (e) {
      if (i >= tries) throw e;
      await page.waitForTimeout(250);
      await page.reload();
    }
  }
}

/** GUARDED_STEPS: the guardrail and audit steps of the flow (govern.steps.mjs): a policy blocking e-mail
 *  addresses, the playground refused naming the detector, the audit log's sign-in, key, policy change and
 *  block, the policy put back. */
const GUARDED_STEPS = governSteps({ go, eventually, assert, shot, axe });

for (const vp of VIEWPORTS) {
  describe(`dashboard at ${vp.width}x${vp.height}`, () => {
    it('the first page is fast and light', async () => {
      const page = await newPage(vp);
      const t0 = Date.now();
      await page.goto(URL_ + '/');
      // / sends an unsigned visitor to /login; interactive when the form can be used.
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      await page.getByLabel('E-mail').fill('x');
      const wall = Date.now() - t0;
      const perf = await page.evaluate(() => {
        // performance.now() counts from the navigation's start.
        const js = performance.getEntriesByType('resource').filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'));
        const mark = performance.getEntriesByName('aigw:login-interactive')[0];
        return { sinceNavigation: Math.round(mark ? mark.startTime : performance.now()), jsTransfer: js.reduce((s, r) => s + (r.encodedBodySize || r.transferSize), 0), jsFiles: js.length };
      });
      figures[vp.name] = { loginInteractiveMs: perf.sinceNavigation, withDriverMs: wall, ...perf };
      // Time is measured and reported (figures.json), not asserted: on a shared
      // 2-core machine a wall-clock budget would fail for reasons of its own.
      if (perf.sinceNavigation >= 1500) console.log(`warning: the login page took ${perf.sinceNavigation} ms to be usable (budget 1500)`);
      assert.ok(perf.jsTransfer < 250 * 1024, `first page JS ${perf.jsTransfer} bytes compressed (budget 250 KB)`);
      await axe(page, 'login');
      await shot(page, vp, 'login');
      // A wrong password is said plainly.
      await page.getByLabel('E-mail').fill(EMAIL);
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'Wrong e-mail or password.' }).waitFor();
      assert.deepEqual(page.problems.filter((p) => !p.includes('401')), []);
      await page.context().close();
    });

    it('an expired session goes to sign-in and back', async () => {
      const page = await newPage(vp);
      await page.goto(URL_ + '/keys?x=1');
      await page.waitForURL(/\/login\?next=%2Fkeys%3Fx%3D1/);
      await page.getByLabel('E-mail').fill(EMAIL);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
      assert.match(page.url(), /\/keys\?x=1$/);
      await page.context().close();
    });

    it('sign in → key → playground → overview → requests → usage → guardrail block → audit → sign out', async () => {
      const page = await newPage(vp);
      const t0 = Date.now();
      await signIn(page);
      figures[vp.name].signInToOverviewMs = Date.now() - t0;

      // Create a key: shown once, with a warning and a copy button.
      await go(page, vp, 'API keys');
      await page.getByRole('button', { name: 'Create key' }).first().click();
      const dialog = page.getByRole('dialog', { name: 'Create an API key' });
      await dialog.getByLabel('Name').fill(`e2e-${vp.name}`);
      await dialog.getByRole('button', { name: 'Create key' }).click();
      const shown = page.getByRole('dialog', { name: 'Your new API key' });
      await shown.getByText('you will not see it again').waitFor();
      const key = await shown.getByTestId('new-key').inputValue();
      assert.match(key, /^sk-aigw-/);
      await shown.getByRole('button', { name: 'I have saved it' }).click();
      await page.getByText(`e2e-${vp.name}`, { exact: true }).waitFor();
      assert.equal(await page.getByText(key).count(), 0, 'the key is not shown after the dialog closed');

      // Stream a chat through the gateway with the new key.
      await go(page, vp, 'Playground');
      await page.getByLabel('Model').selectOption('gpt-4o');
      await page.getByLabel('API key').selectOption('paste');
      await page.getByLabel('Key', { exact: true }).fill(key);
      await page.getByLabel('Message').fill('Say hello to the dashboard test.');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByRole('button', { name: 'Stop' }).or(page.getByRole('button', { name: 'Send' })).first().waitFor();
      await page.getByRole('button', { name: 'Send' }).waitFor();
      const answer = await page.getByTestId('answer').last().textContent();
      assert.ok(answer && answer.trim().length > 0, 'the answer streamed in');
      assert.equal(await page.getByTestId('meta-X-Aigw-Provider').textContent(), 'openai');
      assert.equal(await page.getByTestId('meta-X-Aigw-Model').textContent(), 'gpt-4o');
      assert.equal(await page.getByTestId('meta-X-Aigw-Attempts').textContent(), '1');
      await shot(page, vp, 'playground-answer');

      // The request is on the overview, and its figure opens the rows behind it.
      await go(page, vp, 'Overview');
      await eventually(page, async () => {
        await page.getByRole('link', { name: /^Requests\s+[1-9]/ }).waitFor({ timeout: 500 });
      });
      await page.getByRole('list', { name: 'Cost by model' }).getByRole('link', { name: /gpt-4o/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Requests' }).waitFor();
      assert.match(page.url(), /model=gpt-4o/);
      await page.getByText('gpt-4o', { exact: true }).first().waitFor();
      await page.getByRole('button', { name: /^Open request/ }).first().click();
      await page.getByRole('dialog', { name: 'Request' }).getByText('Streamed').waitFor();
      await page.keyboard.press('Escape');

      // The user's usage shows it too.
      await go(page, vp, 'Users');
      await page.getByRole('button', { name: `Usage of ${EMAIL}` }).click();
      const usage = page.getByRole('dialog', { name: /^Usage of/ });
      const n = Number((await usage.getByTestId('user-usage-requests').textContent()).replace(/\D/g, ''));
      assert.ok(n >= 1, `the admin's usage counts the request (${n})`);
      await page.keyboard.press('Escape');

      for (const step of GUARDED_STEPS) await step(page, vp);

      // Every page: a screenshot and axe.
      for (const p of PAGES) {
        await page.goto(URL_ + p.path);
        await page.getByRole('heading', { level: 1, name: p.heading }).waitFor();
        await page.waitForLoadState('networkidle');
        await axe(page, p.path);
        await shot(page, vp, p.path.slice(1));
      }
      if (vp.width < 768) {
        await page.getByRole('button', { name: 'Menu' }).click();
        await shot(page, vp, 'drawer');
        await axe(page, 'drawer');
      }

      // Sign out: the session is gone.
      if (vp.width < 768 && !(await page.getByRole('button', { name: 'Sign out' }).isVisible())) await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/login/);
      await page.goto(URL_ + '/overview');
      await page.waitForURL(/\/login\?next=%2Foverview/);
      assert.deepEqual(page.problems.filter((p) => !/status of 401/.test(p)), []);
      await page.context().close();
    });
  });
}
