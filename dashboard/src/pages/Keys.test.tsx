import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Keys from './Keys';
import { makeMe, renderPage, stubAPI } from '../test/render';

const key = (over: Record<string, unknown> = {}) => ({
  id: 'k-1', name: 'ci-runner', prefix: 'sk-aigw-AbCd', user_id: 'u-1', created_by: 'u-1', created_at: '2026-03-01T00:00:00Z', expires_at: null,
  revoked_at: null, last_used_at: null, status: 'active', rpm: 60, tpm: 0, concurrency: 0, budget_usd: '250.000000000000', models: ['gpt-4o*'],
  spent_this_month_usd: '12.345000000000', ...over,
});

afterEach(() => vi.unstubAllGlobals());

describe('API keys page', () => {
  it('lists prefix, owner, limits, spend and last use', async () => {
    stubAPI({ 'GET /api-keys': { body: { data: [key()], total: 1 } }, 'GET /users': { body: { data: [], total: 0 } } });
    renderPage(<Keys />);
    const row = (await screen.findByText('ci-runner')).closest('tr')!;
    expect(row).toHaveTextContent('sk-aigw-AbCd…');
    expect(row).toHaveTextContent('60 rpm');
    expect(row).toHaveTextContent('$250.00/month');
    expect(row).toHaveTextContent('$12.35');
    expect(row).toHaveTextContent('never');
  });

  it('shows a viewer no button it may not press', async () => {
    stubAPI({ 'GET /api-keys': { body: { data: [key()], total: 1 } } });
    renderPage(<Keys />, { me: makeMe('viewer', { 'keys.read': 'tenant' }) });
    await screen.findByText('ci-runner');
    expect(screen.queryByRole('button', { name: /create key/i })).toBeNull();
    expect(screen.queryByRole('button', { name: /revoke/i })).toBeNull();
  });

  it('lets a user revoke only their own keys', async () => {
    stubAPI({ 'GET /api-keys': { body: { data: [key(), key({ id: 'k-2', name: 'other', user_id: 'u-9' })], total: 2 } } });
    renderPage(<Keys />, { me: makeMe('user') });
    await screen.findByText('other');
    expect(screen.getByRole('button', { name: 'Revoke ci-runner' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Revoke other' })).toBeNull();
  });

  it('shows a new key once, then forgets it', async () => {
    const calls = stubAPI({
      'GET /api-keys': { body: { data: [], total: 0 } },
      'GET /users': { body: { data: [], total: 0 } },
      'POST /api-keys': { status: 201, body: { ...key({ name: 'batch' }), key: 'sk-aigw-SECRET-123' } },
    });
    renderPage(<Keys />);
    await screen.findByText(/No keys yet/);
    await userEvent.click(screen.getAllByRole('button', { name: 'Create key' })[0]);
    const dialog = screen.getByRole('dialog', { name: 'Create an API key' });
    await userEvent.type(within(dialog).getByLabelText('Name'), 'batch');
    await userEvent.type(within(dialog).getByLabelText('Monthly budget (USD)'), '99.50');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create key' }));
    const shown = await screen.findByRole('dialog', { name: 'Your new API key' });
    expect(within(shown).getByLabelText('Key')).toHaveValue('sk-aigw-SECRET-123');
    expect(shown).toHaveTextContent('you will not see it again');
    const post = calls.find((c) => c.method === 'POST')!;
    // An admin's key is their own unless they choose tenant-wide.
    expect(post.body).toEqual({ name: 'batch', user_id: 'u-1', budget_usd: '99.50' });
    await userEvent.click(within(shown).getByRole('button', { name: 'I have saved it' }));
    expect(screen.queryByDisplayValue('sk-aigw-SECRET-123')).toBeNull();
    expect(document.body.textContent).not.toContain('sk-aigw-SECRET-123');
  });

  it('shows a field error next to its field', async () => {
    stubAPI({
      'GET /api-keys': { body: { data: [], total: 0 } },
      'GET /users': { body: { data: [], total: 0 } },
      'POST /api-keys': { status: 400, body: { error: { message: 'budget_usd: want a positive amount', type: 'invalid_request_error', code: 'invalid_value', param: 'budget_usd' } } },
    });
    renderPage(<Keys />);
    await userEvent.click((await screen.findAllByRole('button', { name: 'Create key' }))[0]);
    const dialog = screen.getByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create key' }));
    await waitFor(() => expect(within(dialog).getByLabelText('Monthly budget (USD)')).toHaveAccessibleDescription(/want a positive amount/));
  });

  it('asks before revoking, naming the key, then revokes it', async () => {
    const calls = stubAPI({ 'GET /api-keys': { body: { data: [key()], total: 1 } }, 'GET /users': { body: { data: [], total: 0 } }, 'DELETE /api-keys/k-1': { body: key({ status: 'revoked' }) } });
    renderPage(<Keys />);
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke ci-runner' }));
    const confirm = screen.getByRole('dialog', { name: 'Revoke “ci-runner”?' });
    expect(confirm).toHaveTextContent('sk-aigw-AbCd…');
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    await userEvent.click(within(confirm).getByRole('button', { name: 'Revoke key' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.url === '/api/v1/admin/api-keys/k-1')).toBe(true));
  });

  it('says what failed and retries', async () => {
    let n = 0;
    stubAPI({ 'GET /api-keys': () => (++n === 1 ? { status: 503, body: { error: { message: 'database unavailable' } } } : { body: { data: [key()], total: 1 } }), 'GET /users': { body: { data: [], total: 0 } } });
    renderPage(<Keys />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load API keys.');
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('ci-runner')).toBeInTheDocument();
  });
});
