// The governance steps of the dashboard's browser flow (Guardrails, the
// Playground refused, the Audit log), for dashboard.test.mjs to run after the
// key and the chat: set the tenant's policy to block e-mail addresses → the
// playground is refused with the detector named → the audit log shows the
// sign-in, the key, the policy change and the block → the policy is put
// back. Plus the Models, Billing (an invoice issued and viewed) and Settings pages' first screens.
//
//   import { governSteps } from './govern.steps.mjs';
//   const GUARDED_STEPS = governSteps({ go, eventually, assert, shot, axe });
//
// Each step is async (page, vp); helpers are the harness's own.

const EMAIL_PROMPT = 'Please forward the statement to jane.doe@bank.example today.';

/** retryUntil repeats act until check passes: the gateway reloads tenants' policies every few seconds. */
async function retryUntil(page, act, check, tries = 30) {
  for (let i = 0; ; i++) {
    await act();
    if (await check()) return;
    if (i >= tries) throw new Error('retryUntil: still not there after ' + tries + ' tries');
    await page.waitForTimeout(1000);
  }
}

async function setEmailAction(page, value) {
  const select = page.getByLabel('Action for pii.email');
  await select.waitFor();
  if ((await select.inputValue()) === value) return false;
  await select.selectOption(value);
  await page.getByRole('button', { name: 'Save policy' }).click();
  await page.getByRole('status').filter({ hasText: /^Saved: version \d+\.$/ }).waitFor();
  return true;
}

export function governSteps({ go, eventually, assert, shot, axe }) {
  return [
    // Guardrails: block e-mail addresses, and see it in the test box first.
    async function blockEmails(page, vp) {
      await go(page, vp, 'Guardrails');
      await setEmailAction(page, 'block');
      await page.getByLabel('Text', { exact: true }).fill(EMAIL_PROMPT);
      await page.getByRole('button', { name: 'Test', exact: true }).click();
      const shown = page.getByTestId('highlighted');
      await shown.locator('mark').filter({ hasText: 'jane.doe@bank.example' }).waitFor();
      await page.getByText(/Decision:/).filter({ hasText: 'block' }).waitFor();
      await axe(page, 'guardrails with a test result');
      await shot(page, vp, 'guardrails-test');
    },

    // The playground is refused, the detector named (the gateway reloads
    // tenants' policies every few seconds: send again until it applies).
    async function playgroundRefused(page, vp) {
      await go(page, vp, 'Playground');
      await page.getByLabel('Model').selectOption('gpt-4o');
      const refusal = page.getByTestId('refusal');
      await retryUntil(
        page,
        async () => {
          await page.getByLabel('Message').fill(EMAIL_PROMPT);
          await page.getByRole('button', { name: 'Send' }).click();
          await page.getByRole('button', { name: 'Send' }).waitFor();
          await page.waitForLoadState('networkidle');
        },
        async () => (await refusal.count()) > 0 && /pii\.email/.test(await refusal.textContent()),
      );
      assert.match(await refusal.textContent(), /pii\.email/);
      await shot(page, vp, 'playground-refused');
    },

    // The audit log shows the sign-in, the key, the policy change and the block.
    async function auditShowsIt(page, vp) {
      await go(page, vp, 'Audit logs');
      await page.getByText(/events chain to one another/).waitFor();
      for (const action of ['auth.login', 'api_key.create', 'guardrails.policy.update', 'guardrail.triggered']) {
        const field = page.getByLabel('Action', { exact: true });
        // On a phone the filters are folded behind a button.
        if (!(await field.isVisible())) await page.getByRole('button', { name: /^Filters/ }).click();
        await field.fill(action);
        await page.getByRole('button', { name: 'Apply filters' }).click();
        // The gateway's events are written in batches, a moment after the request.
        await eventually(page, async () => {
          await page.getByRole('button', { name: new RegExp('^Details of ' + action.replace(/\./g, '\\.') + ' at') }).first().waitFor({ timeout: 1000 });
        });
      }
      // The block's detail names the detector, sanitized (no prompt text).
      await page.getByRole('button', { name: /^Details of guardrail\.triggered at/ }).first().click();
      const details = page.getByRole('dialog').getByTestId('event-details');
      assert.match(await details.textContent(), /pii\.email/);
      assert.doesNotMatch(await details.textContent(), /jane\.doe/);
      await axe(page, 'audit event detail');
      await shot(page, vp, 'audit-block-detail');
      await page.keyboard.press('Escape');
      // The export downloads the period's events as a file the server names.
      const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export', exact: true }).click()]);
      assert.match(csv.suggestedFilename(), /^aigw-audit-.+\.csv$/);
      await page.getByText(/^Saved aigw-audit-.+\.csv\.$/).waitFor();
      // Security events: the block is one.
      await page.getByRole('tab', { name: 'Security events' }).click();
      await page.getByRole('table', { name: 'Security events' }).or(page.getByText('No security events in this period')).waitFor();
    },

    // Put the policy back, so that the next run starts from the template.
    async function restorePolicy(page, vp) {
      await go(page, vp, 'Guardrails');
      await setEmailAction(page, '');
    },

    // Models, Billing and Settings: their first screen answers its question.
    async function otherPages(page, vp) {
      await go(page, vp, 'Models');
      await page.getByRole('table', { name: 'Model catalog' }).getByText('gpt-4o', { exact: true }).first().waitFor();
      await go(page, vp, 'Billing');
      await page.getByText('Total (before tax)').waitFor();
      await page.getByText(/Spent so far|Could not load the forecast/).first().waitFor();
      // The usage CSV downloads (a plain link with the session's cookie).
      const [usage] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Per day' }).click()]);
      assert.match(usage.suggestedFilename(), /\.csv$/);
      // Issue last month's invoice (idempotent: the second run gets the same one) and view its lines.
      await page.getByRole('button', { name: 'Issue invoice' }).click();
      const issue = page.getByRole('dialog', { name: 'Issue an invoice' });
      await issue.getByRole('button', { name: 'Issue', exact: true }).click();
      const inv = page.getByRole('dialog', { name: /^Invoice INV-\d{6}$/ });
      // A month without seats or usage has no lines, and says so.
      await inv.getByRole('table', { name: /^Line items of INV-/ }).or(inv.getByText(/^No line items/)).waitFor();
      await inv.getByText('Total', { exact: true }).waitFor();
      await axe(page, 'an invoice');
      await shot(page, vp, 'billing-invoice');
      await inv.getByRole('button', { name: 'Close' }).click();
      await go(page, vp, 'Settings');
      await page.getByRole('form', { name: 'Pricing plan' }).waitFor();
      await page.getByRole('form', { name: 'SSO configuration' }).waitFor();
    },
  ];
}
