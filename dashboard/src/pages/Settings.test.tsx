import { describe, expect, it } from 'vitest';
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import SettingsPage, { parseMapping, planRequest } from './Settings';
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

const noSSO: Schemas['SSOConfig'] = {
  configured: false, enabled: true, issuer: '', client_id: '', client_secret_set: false, display_name: '', scopes: ['openid', 'email', 'profile'], allowed_domains: [],
  role_claim: 'groups', role_mapping: {}, default_role: 'viewer', sso_only: false, sync_role: true, redirect_uri: 'https://aigw.example/api/v1/admin/auth/sso/callback', created_at: null, updated_at: null,
};
const sso: Schemas['SSOConfig'] = { ...noSSO, configured: true, issuer: 'https://id.acme.test', client_id: 'aigw', client_secret_set: true, role_mapping: { 'aigw-admins': 'admin' }, updated_at: '2026-12-01T00:00:00Z' };
const plan: Schemas['BillingPlan'] = { currency: 'USD', seat_fee: '0', usd_rate: '1', adjustments: [], default: true, updated_at: null };
const discovery: Schemas['SSODiscovery'] = {
  issuer: 'https://id.acme.test', authorization_endpoint: 'https://id.acme.test/auth', token_endpoint: 'https://id.acme.test/token', jwks_uri: 'https://id.acme.test/jwks',
  pkce: 'not_advertised', redirect_uri: 'https://aigw.example/cb', scopes_supported: ['openid', 'email'], claims_supported: [], code_challenge_methods_supported: [], id_token_signing_alg_values_supported: ['RS256'],
  warnings: ['the provider lists no groups claim'],
};

function stub(config = noSSO, extra: Parameters<typeof stubAPI>[0] = {}) {
  return stubAPI({
    'GET /sso/config': { body: config },
    'POST /sso/config': ({ body }) => ({ status: 201, body: { ...noSSO, ...(body as object), configured: true, client_secret_set: !!(body as { client_secret?: string }).client_secret } }),
    'PUT /sso/config': ({ body }) => ({ body: { ...config, ...(body as object) } }),
    'POST /sso/discover': { body: discovery },
    'GET /billing/plan': { body: plan },
    'PUT /billing/plan': ({ body }) => ({ body: { ...plan, ...(body as object), default: false, updated_at: '2026-12-03T00:00:00Z' } }),
    ...extra,
  });
}

describe('Settings page', { timeout: 30_000 }, () => {
  it('discovers a provider and sets up SSO with a group mapping', async () => {
    const calls = stub();
    renderPage(<SettingsPage />);
    await fill(await screen.findByLabelText('Issuer URL'), 'https://id.acme.test');
    await userEvent.click(screen.getByRole('button', { name: 'Discover' }));
    expect(await screen.findByText(/Found https:\/\/id.acme.test/)).toHaveTextContent('not advertised');
    expect(screen.getByText('the provider lists no groups claim')).toBeInTheDocument();
    expect(calls.find((c) => c.url.includes('/sso/discover'))?.body).toEqual({ issuer: 'https://id.acme.test' });
    await fill(screen.getByLabelText('Client id'), 'aigw');
    await fill(screen.getByLabelText('Client secret'), 's3cret');
    await fill(screen.getByLabelText('Group to role'), 'aigw-admins=admin\nrisk=manager');
    await userEvent.click(screen.getByRole('button', { name: 'Set up SSO' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.url.endsWith('/sso/config'))).toBe(true));
    const body = calls.find((c) => c.method === 'POST' && c.url.endsWith('/sso/config'))!.body as Schemas['ssoConfigRequest'];
    expect(body).toMatchObject({ issuer: 'https://id.acme.test', client_id: 'aigw', client_secret: 's3cret', scopes: ['openid', 'email', 'profile'], role_mapping: { 'aigw-admins': 'admin', risk: 'manager' }, default_role: 'viewer', enabled: true });
    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    // The secret is not kept in the form after saving.
    expect(screen.getByLabelText('Client secret')).toHaveValue('');
  });

  it('keeps a stored secret on update unless it is removed', async () => {
    const calls = stub(sso);
    renderPage(<SettingsPage />);
    await userEvent.clear(await screen.findByLabelText('Button label'));
    await fill(screen.getByLabelText('Button label'), 'Acme ID');
    await userEvent.click(screen.getByRole('button', { name: 'Save SSO' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    const put = calls.find((c) => c.method === 'PUT')!.body as Record<string, unknown>;
    expect(put.display_name).toBe('Acme ID');
    expect('client_secret' in put).toBe(false);
    await userEvent.click(screen.getByLabelText('Remove the stored secret'));
    await userEvent.click(screen.getByRole('button', { name: 'Save SSO' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(2));
    expect((calls.filter((c) => c.method === 'PUT')[1].body as Record<string, unknown>).client_secret).toBe('');
  });

  it('refuses a bad mapping line before sending anything', async () => {
    const calls = stub();
    renderPage(<SettingsPage />);
    await fill(await screen.findByLabelText('Issuer URL'), 'https://id.acme.test');
    await fill(screen.getByLabelText('Client id'), 'aigw');
    await fill(screen.getByLabelText('Group to role'), 'admins=root');
    await userEvent.click(screen.getByRole('button', { name: 'Set up SSO' }));
    expect(await screen.findByText(/Role mapping line 1/)).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('saves the pricing plan with exact amounts and an adjustment', async () => {
    const calls = stub();
    renderPage(<SettingsPage />);
    const form = await screen.findByRole('form', { name: 'Pricing plan' });
    await userEvent.clear(within(form).getByLabelText('Currency'));
    await fill(within(form).getByLabelText('Currency'), 'eur');
    await userEvent.clear(within(form).getByLabelText('Seat fee'));
    await fill(within(form).getByLabelText('Seat fee'), '25.10');
    await userEvent.clear(within(form).getByLabelText('Units per US dollar'));
    await fill(within(form).getByLabelText('Units per US dollar'), '0.9123456789');
    await userEvent.click(within(form).getByRole('button', { name: 'Add adjustment' }));
    await fill(within(form).getByLabelText('Model id'), 'gpt-4o');
    await fill(within(form).getByLabelText('Percent'), '-5');
    await userEvent.click(within(form).getByRole('button', { name: 'Save plan' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    expect(calls.find((c) => c.method === 'PUT')!.body).toEqual({ currency: 'EUR', seat_fee: '25.10', usd_rate: '0.9123456789', adjustments: [{ model: 'gpt-4o', percent: '-5' }] });
    expect(await within(form).findByText(/Saved: the next invoices use it/)).toBeInTheDocument();
  });

  it('shows a manager the plan read-only and no SSO section', async () => {
    stub();
    renderPage(<SettingsPage />, { me: makeMe('manager', { 'billing.read': 'tenant', 'billing.write': 'none', 'sso.read': 'none', 'sso.write': 'none' }) });
    expect(await screen.findByText('Only admins change the pricing plan.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save plan' })).toBeNull();
    expect(screen.queryByText(/Single sign-on/)).toBeNull();
  });

  it('shows a viewer only their account', () => {
    stub();
    renderPage(<SettingsPage />, { me: makeMe('viewer') });
    expect(screen.getByText('viewer@acme.test')).toBeInTheDocument();
    expect(screen.queryByText('Pricing plan')).toBeNull();
  });

  it('shows the API’s error on a failed save, next to the field it names', async () => {
    stub(sso, { 'PUT /sso/config': { status: 422, body: { error: { message: 'issuer: discovery names https://other', type: 'invalid_request_error', code: 'invalid_value', param: 'issuer' } } } });
    renderPage(<SettingsPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Save SSO' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not save: issuer: discovery names https://other');
    expect(screen.getByLabelText('Issuer URL')).toHaveAttribute('aria-invalid', 'true');
  });
});

describe('form helpers', () => {
  it('parses group=role lines, a group may hold =', () => {
    expect(parseMapping('a=admin\n\n b=c = viewer ')).toEqual({ a: 'admin', 'b=c': 'viewer' });
    expect(() => parseMapping('x')).toThrow(/line 1/);
  });
  it('sends no rate for US dollars', () => {
    expect(planRequest({ currency: 'usd', seat_fee: ' 1 ', usd_rate: '7', adjustments: [{ target: 'provider', name: '', percent: '3' }] })).toEqual({ currency: 'USD', seat_fee: '1', usd_rate: undefined, adjustments: [] });
  });
});
