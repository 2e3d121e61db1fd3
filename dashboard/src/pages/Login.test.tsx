import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createMemoryRouter, RouterProvider } from 'react-router';
import Login, { safeNext } from './Login';
import { stubAPI } from '../test/render';

function renderLogin(path = '/login') {
  const router = createMemoryRouter([{ path: '/login', element: <Login /> }, { path: '*', element: <p>landed</p> }], { initialEntries: [path] });
  render(<QueryClientProvider client={new QueryClient()}><RouterProvider router={router} /></QueryClientProvider>);
  return router;
}

afterEach(() => vi.unstubAllGlobals());

describe('Login', () => {
  it('signs in and goes back where the user was', async () => {
    const calls = stubAPI({ 'POST /auth/login': { body: {} } });
    const router = renderLogin('/login?next=%2Fkeys%3Ftab%3Dmine&expired=1');
    expect(screen.getByRole('status')).toHaveTextContent('Your session has ended');
    await userEvent.type(screen.getByLabelText('E-mail'), 'ana@acme.test');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(router.state.location.pathname + router.state.location.search).toBe('/keys?tab=mine'));
    expect(calls[0].body).toEqual({ email: 'ana@acme.test', password: 'correct horse battery' });
  });

  it('says plainly what went wrong', async () => {
    stubAPI({ 'POST /auth/login': { status: 401, body: { error: { message: 'wrong e-mail or password', code: 'unauthenticated' } } } });
    renderLogin();
    await userEvent.type(screen.getByLabelText('E-mail'), 'ana@acme.test');
    await userEvent.type(screen.getByLabelText('Password'), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong e-mail or password.');
  });

  it('starts single sign-on for the e-mail’s tenant', async () => {
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    const calls = stubAPI({
      'GET /auth/sso/providers': { body: { providers: [{ display_name: 'Okta', sso_only: false, tenant: { slug: 'acme', name: 'Acme' } }] } },
      'POST /auth/sso/initiate': { body: { authorization_url: 'https://idp.example/authorize?x=1', expires_at: '2026-01-01T00:00:00Z' } },
    });
    renderLogin('/login?next=/users');
    await userEvent.type(screen.getByLabelText('E-mail'), 'ana@acme.test');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in with SSO' }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith('https://idp.example/authorize?x=1'));
    expect(calls[0].url).toBe('/api/v1/admin/auth/sso/providers?email=ana%40acme.test');
    expect(calls[1].body).toEqual({ tenant: 'acme', return_to: '/users', login_hint: 'ana@acme.test' });
  });

  it('shows an SSO refusal from the callback', () => {
    renderLogin('/login?sso_error=user_suspended');
    expect(screen.getByRole('alert')).toHaveTextContent('Your account is suspended.');
  });
});

describe('safeNext', () => {
  it('keeps only paths of this site', () => {
    expect(safeNext('/keys?x=1')).toBe('/keys?x=1');
    for (const bad of [null, '', 'https://evil.example', '//evil.example', '/\\evil.example', '/login?next=/x']) expect(safeNext(bad)).toBe('/');
  });
});
