import { describe, expect, it } from 'vitest';
import { configure, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import GuardrailsPage, { byteToIndex, FindingList, Highlighted, requestOf } from './Guardrails';
import { makeMe, renderPage, stubAPI } from '../test/render';
import type { Schemas } from '../api/client';

// A loaded machine (the whole suite on two shared cores) needs more than the 1 s default to settle.
configure({ asyncUtilTimeout: 5000 });

/** fill replaces a control's text as a paste would: fast and deterministic, even on a loaded machine. */
async function fill(el: HTMLElement, text: string) {
  await userEvent.clear(el);
  await userEvent.click(el);
  await userEvent.paste(text);
}

const setting = (action: string) => ({ action: action as 'block', redaction: 'placeholder' as const, threshold: 0.5 });
const templates = {
  data: [
    { name: 'bfsi-standard', description: 'Redacts personal data, blocks attacks', shadow: false, detectors: { 'pii.email': setting('redact'), 'attack.injection': setting('block') } },
    { name: 'bfsi-strict', description: 'Blocks personal data', shadow: false, detectors: { 'pii.email': setting('block') } },
  ],
  total: 2,
};
const detectors = {
  data: [
    { id: 'pii.email', category: 'pii', description: 'e-mail addresses' },
    { id: 'attack.injection', category: 'attack', description: 'prompt injection' },
  ],
  total: 2,
};
const unconfigured: Schemas['TenantPolicy'] = { configured: false, template: '', overrides: {}, effective: {}, terms: [], shadow: false, updated_at: null, updated_by: null, version: 0 };

function api(policy = unconfigured) {
  return stubAPI({
    'GET /guardrails/policy': { body: policy },
    'GET /guardrails/policies': { body: templates },
    'GET /guardrails': { body: detectors },
    'PUT /guardrails/policy': ({ body }) => {
      const b = body as Schemas['tenantPolicyRequest'];
      return { body: { ...unconfigured, configured: true, version: 1, template: b.template, terms: b.terms ?? [], shadow: !!b.shadow, updated_at: '2026-12-03T10:00:00Z', overrides: Object.fromEntries(Object.entries(b.overrides ?? {}).map(([k, v]) => [k, setting(v.action!)])) } };
    },
    'POST /guardrails/test': { body: { action: 'block', findings: [{ type: 'pii.email', start: 9, end: 26, score: 1 }], text: 'write to [EMAIL]' } },
  });
}

describe('Guardrails page', { timeout: 30_000 }, () => {
  it('sets pii.email to block over the template, with terms and shadow mode, and saves it', async () => {
    const calls = api();
    renderPage(<GuardrailsPage />);
    const email = await screen.findByLabelText('Action for pii.email');
    expect(screen.getByLabelText('Template')).toHaveValue('bfsi-standard');
    expect(within(email).getByRole('option', { name: 'Template (redact)' })).toBeInTheDocument();
    await userEvent.selectOptions(email, 'block');
    await fill(screen.getByLabelText('Confidential terms'), 'Project Falcon\n  \nOrion');
    await userEvent.click(screen.getByLabelText(/Shadow mode/));
    await userEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Saved: version 1.'));
    const put = calls.find((c) => c.method === 'PUT');
    expect(put?.body).toEqual({ template: 'bfsi-standard', overrides: { 'pii.email': { action: 'block' } }, terms: ['Project Falcon', 'Orion'], shadow: true });
  });

  it('shows the policy read-only to a role that may not change it', async () => {
    api({ ...unconfigured, configured: true, version: 3, template: 'bfsi-strict', updated_at: '2026-12-01T00:00:00Z' });
    renderPage(<GuardrailsPage />, { me: makeMe('manager', { 'guardrails.read': 'tenant', 'guardrails.test': 'tenant', 'guardrails.write': 'none' }) });
    expect(await screen.findByLabelText('Template')).toBeDisabled();
    expect(screen.getByLabelText('Action for pii.email')).toBeDisabled();
    expect(screen.queryByRole('button', { name: 'Save policy' })).toBeNull();
    expect(screen.getByText(/may see the policy but not change it/)).toBeInTheDocument();
    // Managers may still test texts.
    expect(screen.getByRole('button', { name: 'Test' })).toBeInTheDocument();
  });

  it('hides the test box from a role without guardrails.test', async () => {
    api();
    renderPage(<GuardrailsPage />, { me: makeMe('manager', { 'guardrails.test': 'none', 'guardrails.write': 'none' }) });
    await screen.findByLabelText('Template');
    expect(screen.queryByRole('button', { name: 'Test' })).toBeNull();
  });

  it('tests a text and highlights what the engine found', async () => {
    const calls = api();
    renderPage(<GuardrailsPage />);
    await fill(await screen.findByLabelText('Text'), 'write to jane@bank.example');
    await userEvent.click(screen.getByRole('button', { name: 'Test' }));
    const shown = await screen.findByTestId('highlighted');
    const mark = shown.querySelector('mark')!;
    expect(mark.firstChild?.textContent).toBe('jane@bank.example');
    expect(mark).toHaveTextContent('pii.email');
    expect(shown.firstChild?.textContent).toBe('write to ');
    expect(screen.getByText(/1 finding: pii.email/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ text: 'write to jane@bank.example', direction: 'input' });
  });

  it('says what failed when the policy does not load', async () => {
    stubAPI({ 'GET /guardrails/policy': { status: 503, body: { error: { message: 'store unavailable', type: 'server_error', code: null } } }, 'GET /guardrails/policies': { body: templates }, 'GET /guardrails': { body: detectors } });
    renderPage(<GuardrailsPage />);
    expect(await screen.findByRole('alert')).toHaveTextContent('store unavailable');
  });

  it('shows the save error the API gives', async () => {
    stubAPI({
      'GET /guardrails/policy': { body: unconfigured },
      'GET /guardrails/policies': { body: templates },
      'GET /guardrails': { body: detectors },
      'PUT /guardrails/policy': { status: 422, body: { error: { message: 'terms: "ab" is shorter than 3 characters', type: 'invalid_request_error', code: 'invalid_value', param: 'terms' } } },
    });
    renderPage(<GuardrailsPage />);
    await fill(await screen.findByLabelText('Confidential terms'), 'ab');
    await userEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not save the policy');
    expect(screen.getAllByText(/shorter than 3 characters/).length).toBeGreaterThan(0);
  });
});

describe('byte offsets', () => {
  it('maps UTF-8 byte offsets onto string indices, past multi-byte characters', () => {
    const text = 'é😀 a@b.co';
    // é is 2 bytes, 😀 4 bytes (2 UTF-16 units), space 1: the address starts at byte 7, index 4.
    const at = byteToIndex(text);
    expect(at(0)).toBe(0);
    expect(at(2)).toBe(1);
    expect(at(6)).toBe(3);
    expect(at(7)).toBe(4);
    expect(at(new TextEncoder().encode(text).length)).toBe(text.length);
    render(<Highlighted text={text} findings={[{ type: 'pii.email', detector: 'email', start: 7, end: 13, score: 1 }]} />);
    expect(screen.getByTestId('highlighted').querySelector('mark')?.firstChild?.textContent).toBe('a@b.co');
  });

  it('lists each finding’s detector and score, and a learned detector’s features', () => {
    render(
      <FindingList
        findings={[
          { type: 'pii.email', detector: 'email', start: 0, end: 6, score: 1 },
          { type: 'injection', detector: 'injection.learned', start: 7, end: 40, score: 0.91, features: ['ignore your', 'system prompt'] },
        ]}
      />,
    );
    const items = screen.getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0].textContent).toContain('email');
    expect(items[0].textContent).not.toContain('because of');
    expect(items[1].textContent).toContain('injection.learned');
    expect(items[1].textContent).toContain('score 0.91');
    expect(items[1].textContent).toContain('“ignore your”, “system prompt”');
  });

  it('keeps an override’s threshold and redaction when its action changes', () => {
    const saved = { ...unconfigured, overrides: { 'pii.email': { action: 'redact' as const, redaction: 'mask_last4' as const, threshold: 0.8 } } };
    expect(requestOf({ template: 't', actions: { 'pii.email': 'block' }, terms: '', shadow: false }, saved).overrides).toEqual({ 'pii.email': { action: 'block', redaction: 'mask_last4', threshold: 0.8 } });
  });
});
