import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { Can, RequireSession } from './session';
import { stubAPI, makeMe } from '../test/render';

function renderAt(path: string) {
  const router = createMemoryRouter(
    [
      { path: '/login', element: <p>sign-in page</p> },
      { path: '*', element: <RequireSession fallback={<p>loading</p>}><Can perm="keys.create">create button</Can><Can perm="users.delete" need="tenant">delete button</Can></RequireSession> },
    ],
    { initialEntries: [path] },
  );
  render(<QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}><RouterProvider router={router} /></QueryClientProvider>);
  return router;
}

afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = 'aigw_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

describe('RequireSession', () => {
  it('sends a visitor without a session to sign in, with the way back, without asking the API', async () => {
    const calls = stubAPI({});
    const router = renderAt('/keys?tab=mine');
    await screen.findByText('sign-in page');
    expect(router.state.location.search).toBe('?next=%2Fkeys%3Ftab%3Dmine');
    expect(calls).toEqual([]);
  });

  it('sends an ended session (401) to sign in', async () => {
    document.cookie = 'aigw_csrf=stale';
    stubAPI({ 'GET /auth/me': { status: 401, body: { error: { message: 'session expired' } } } });
    const router = renderAt('/users');
    await screen.findByText('sign-in page');
    expect(router.state.location.search).toBe('?next=%2Fusers');
  });

  it('renders what the role may do', async () => {
    document.cookie = 'aigw_csrf=ok';
    stubAPI({ 'GET /auth/me': { body: makeMe('user') } });
    renderAt('/keys');
    expect(await screen.findByText('create button')).toBeInTheDocument();
    // need="tenant" needs the whole tenant; this user's grant is own.
    expect(screen.queryByText('delete button')).toBeNull();
  });
});
