import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Users from './Users';
import { makeMe, renderPage, stubAPI } from '../test/render';
import doc from '../api/openapi.json';

const user = (id: string, email: string, role: string, over: Record<string, unknown> = {}) => ({
  id, tenant_id: 't-1', email, name: email.split('@')[0], role, status: 'active', has_password: true, sso: false, last_login_at: null,
  created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', ...over,
});
const people = [user('u-1', 'admin@acme.test', 'admin'), user('u-2', 'boss@acme.test', 'admin'), user('u-3', 'dev@acme.test', 'user')];

function stub(extra = {}) {
  const openapi = vi.fn(() => ({ body: doc }));
  const calls = stubAPI({ 'GET /users': { body: { data: people, total: 3 } }, 'GET /openapi.json': openapi, ...extra });
  return { calls, openapi };
}

afterEach(() => vi.unstubAllGlobals());

describe('Users page', () => {
  it('shows what each role may do from the served permission table', async () => {
    stub();
    renderPage(<Users />);
    const table = await screen.findByRole('table', { name: 'Permissions by role' });
    const row = within(table).getByRole('row', { name: /Export the audit log/ });
    // audit.export: admin tenant, everyone else none (admin-api/server/permissions.go).
    expect(within(row).getAllByRole('cell').map((c) => c.textContent)).toEqual(['all', '—', '—', '—']);
    const keys = within(table).getByRole('row', { name: /Create API keys/ });
    expect(within(keys).getAllByRole('cell').map((c) => c.textContent)).toEqual(['all', 'all', 'own', '—']);
  });

  it('asks before a role change, naming the person, and sends only the role', async () => {
    const { calls } = stub({ 'PUT /users/u-3': { body: user('u-3', 'dev@acme.test', 'manager') } });
    renderPage(<Users />);
    await userEvent.selectOptions(await screen.findByLabelText('Role of dev@acme.test'), 'manager');
    const confirm = screen.getByRole('dialog', { name: 'Make dev a manager?' });
    expect(confirm).toHaveTextContent('dev@acme.test changes from user to manager');
    await userEvent.click(within(confirm).getByRole('button', { name: 'Change role' }));
    await waitFor(() => expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ role: 'manager' }));
  });

  it('suspends and deletes with a confirmation that says what follows', async () => {
    const { calls } = stub({ 'DELETE /users/u-3': { body: { user: people[2], keys_revoked: 2 } } });
    renderPage(<Users />);
    await userEvent.click(await screen.findByRole('button', { name: 'Delete dev@acme.test' }));
    const confirm = screen.getByRole('dialog', { name: 'Delete dev?' });
    expect(confirm).toHaveTextContent('every API key they own is revoked');
    await userEvent.click(within(confirm).getByRole('button', { name: 'Delete user' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.url.endsWith('/users/u-3'))).toBe(true));
  });

  it('offers no action on yourself, and a manager none on admins', async () => {
    stub();
    renderPage(<Users />, { me: makeMe('manager', { 'users.read': 'tenant', 'users.update': 'tenant', 'users.delete': 'tenant', 'users.create': 'tenant' }) });
    await screen.findByText('boss@acme.test');
    expect(screen.queryByRole('button', { name: 'Delete boss@acme.test' })).toBeNull();
    expect(screen.queryByLabelText('Role of boss@acme.test')).toBeNull();
    expect(screen.getByRole('button', { name: 'Suspend dev@acme.test' })).toBeInTheDocument();
    // A manager cannot make anyone an admin.
    expect(within(screen.getByLabelText('Role of dev@acme.test')).queryByRole('option', { name: 'admin' })).toBeNull();
  });

  it('shows a viewer the list and the role table but no buttons', async () => {
    stub();
    renderPage(<Users />, { me: makeMe('viewer', { 'users.read': 'tenant' }) });
    await screen.findByText('dev@acme.test');
    expect(screen.queryByRole('button', { name: 'Add user' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^(Suspend|Delete)/ })).toBeNull();
    expect(screen.queryByRole('combobox')).toBeNull();
  });

  it('adds a user and shows the server’s refusal on its field', async () => {
    const { calls } = stub({ 'POST /users': { status: 400, body: { error: { message: 'password: at least 12 characters', type: 'invalid_request_error', code: 'invalid_value', param: 'password' } } } });
    renderPage(<Users />);
    await userEvent.click(await screen.findByRole('button', { name: 'Add user' }));
    const dialog = screen.getByRole('dialog', { name: 'Add a user' });
    await userEvent.type(within(dialog).getByLabelText('E-mail'), 'new@acme.test');
    await userEvent.type(within(dialog).getByLabelText('Name'), 'New');
    await userEvent.selectOptions(within(dialog).getByLabelText('Role'), 'viewer');
    await userEvent.type(within(dialog).getByLabelText('Initial password'), 'short');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add user' }));
    await waitFor(() => expect(within(dialog).getByLabelText('Initial password')).toHaveAccessibleDescription(/at least 12 characters/));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ email: 'new@acme.test', name: 'New', role: 'viewer', password: 'short' });
  });
});
