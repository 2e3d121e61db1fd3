import { describe, expect, it, vi } from 'vitest';
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import AuditPage, { sanitize } from './Audit';
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

const ev = (p: Partial<Schemas['AuditEvent']>): Schemas['AuditEvent'] => ({
  id: 1, seq: 1, occurred_at: '2026-12-03T09:00:00Z', actor_type: 'user', actor_id: 'u-1', action: 'auth.login', outcome: 'success', severity: 'info',
  client_ip: '10.0.0.x', request_id: 'req-1', resource_type: 'user', resource_id: 'u-1', details: { method: 'password' }, ...p,
});

const events = [
  ev({}),
  ev({ id: 2, seq: 2, action: 'api_key.create', resource_type: 'api_key', resource_id: 'k-1', details: { name: 'ci', secret: 'sk-live-should-not-show', nested: { password: 'hunter2', prefix: 'aigw_ab' } } }),
  ev({ id: 3, seq: 3, action: 'guardrail.triggered', outcome: 'denied', severity: 'warning', actor_type: 'api_key', actor_id: 'k-1', details: { detectors: { 'pii.email': 1 } } }),
];

function stub(extra: Parameters<typeof stubAPI>[0] = {}) {
  return stubAPI({
    'GET /audit/logs': ({ url }) => {
      const q = new URL(url, 'http://x').searchParams;
      const rows = events.filter((e) => !q.get('action') || e.action === q.get('action'));
      return { body: { data: rows, total: q.get('offset') ? 60 : rows.length === 3 ? 60 : rows.length } };
    },
    'GET /audit/security-events': { body: { data: [events[2]], total: 1 } },
    'GET /audit/verify': { body: { ok: true, rows: 1234, first_break: null } },
    ...extra,
  });
}

describe('Audit page', { timeout: 30_000 }, () => {
  it('lists events of the period with their outcome, and says the chain verifies', async () => {
    const calls = stub();
    renderPage(<AuditPage />);
    const table = await screen.findByRole('table', { name: 'Audit events' });
    expect(within(table).getAllByRole('row')).toHaveLength(4);
    expect(within(table).getByRole('button', { name: /guardrail.triggered/ })).toBeInTheDocument();
    expect(await screen.findByText(/All 1,234 events chain/)).toBeInTheDocument();
    const q = new URL(calls.find((c) => c.url.includes('/audit/logs'))!.url, 'http://x').searchParams;
    expect(q.get('limit')).toBe('25');
    expect(q.get('from')).toMatch(/Z$/);
    expect(q.get('to')).toMatch(/Z$/);
  });

  it('filters through the URL and pages', async () => {
    const calls = stub();
    const { router } = renderPage(<AuditPage />);
    await screen.findByRole('table');
    await fill(screen.getByLabelText('Action'), 'api_key.create');
    await userEvent.selectOptions(screen.getByLabelText('Outcome'), 'success');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(router.state.location.search).toContain('action=api_key.create'));
    expect(router.state.location.search).toContain('outcome=success');
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(2));
    const last = new URL(calls.filter((c) => c.url.includes('/audit/logs')).at(-1)!.url, 'http://x').searchParams;
    expect(last.get('action')).toBe('api_key.create');
    expect(last.get('outcome')).toBe('success');
    await userEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(router.state.location.search).not.toContain('action='));
    await userEvent.click(await screen.findByRole('button', { name: 'Next' }));
    await waitFor(() => expect(router.state.location.search).toContain('offset=25'));
    expect(screen.getByRole('button', { name: 'Previous' })).toBeEnabled();
  });

  it('folds the filters behind a button on a phone, open when some are set', async () => {
    stub();
    renderPage(<AuditPage />, { path: '/?action=auth.login' });
    await screen.findByRole('table');
    expect(screen.getByRole('button', { name: 'Hide filters' })).toHaveAttribute('aria-expanded', 'true');
    await userEvent.click(screen.getByRole('button', { name: 'Hide filters' }));
    expect(screen.getByRole('button', { name: 'Filters (1)' })).toHaveAttribute('aria-expanded', 'false');
    expect(screen.getByRole('form', { name: 'Filter events' })).toHaveClass('max-sm:hidden');
  });

  it('opens an event’s detail with secrets masked', async () => {
    stub();
    renderPage(<AuditPage />);
    await userEvent.click(await screen.findByRole('button', { name: /Details of api_key.create/ }));
    const dialog = screen.getByRole('dialog', { name: 'Event api_key.create' });
    const details = within(dialog).getByTestId('event-details');
    expect(details).toHaveTextContent('"name": "ci"');
    expect(details).toHaveTextContent('"prefix": "aigw_ab"');
    expect(details).not.toHaveTextContent('sk-live-should-not-show');
    expect(details).not.toHaveTextContent('hunter2');
    expect(dialog).toHaveTextContent('#2');
  });

  it('shows the security events on their tab', async () => {
    stub();
    const { router } = renderPage(<AuditPage />);
    await screen.findByRole('table');
    await userEvent.click(screen.getByRole('tab', { name: 'Security events' }));
    expect(await screen.findByRole('table', { name: 'Security events' })).toBeInTheDocument();
    expect(router.state.location.search).toContain('tab=security');
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(2));
  });

  it('names the first broken link of the chain', async () => {
    stub({ 'GET /audit/verify': { body: { ok: false, rows: 10, first_break: { id: 77, seq: 7, reason: 'hash mismatch' } } } });
    renderPage(<AuditPage />);
    expect(await screen.findByText(/breaks at event #7/)).toHaveTextContent('hash mismatch');
  });

  it('exports the period for an admin, as a file to save', async () => {
    const calls = stub({ 'POST /audit/export': { body: 'x' } });
    URL.createObjectURL = () => 'blob:x';
    URL.revokeObjectURL = () => {};
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    renderPage(<AuditPage />);
    await userEvent.selectOptions(await screen.findByLabelText('Format'), 'jsonl');
    await userEvent.click(screen.getByRole('button', { name: 'Export' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    const body = calls.find((c) => c.method === 'POST')!.body as { format: string; from: string; to: string };
    expect(body.format).toBe('jsonl');
    expect(body.from < body.to).toBe(true);
    expect(await screen.findByText(/Saved aigw-audit.jsonl/)).toBeInTheDocument();
    expect(clicked).toEqual(['aigw-audit.jsonl']);
  });

  it('hides the export from a role without audit.export', async () => {
    stub();
    renderPage(<AuditPage />, { me: makeMe('viewer', { 'audit.read': 'tenant' }) });
    await screen.findByRole('table');
    expect(screen.queryByRole('button', { name: 'Export' })).toBeNull();
  });

  it('says when nothing matches', async () => {
    stub({ 'GET /audit/logs': { body: { data: [], total: 0 } } });
    renderPage(<AuditPage />);
    expect(await screen.findByText('No events match')).toBeInTheDocument();
  });

  it('says what failed, with a retry', async () => {
    stub({ 'GET /audit/logs': { status: 500, body: { error: { message: 'audit store unavailable', type: 'server_error', code: null } } } });
    renderPage(<AuditPage />);
    const alert = await screen.findByText('audit store unavailable');
    expect(alert.closest('[role=alert]')).toHaveTextContent('Could not load the audit log');
  });
});

describe('sanitize', () => {
  it('masks secret-looking values at any depth and keeps the rest', () => {
    expect(sanitize({ token: 'abc', list: [{ api_key: 'k' }], ok: true, count: 3, password_set: true })).toEqual({ token: '[redacted]', list: [{ api_key: '[redacted]' }], ok: true, count: 3, password_set: true });
  });
});
