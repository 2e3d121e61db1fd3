// Test helpers: render a page with a session, a router and a fresh query
// client; stub the admin API with a table of answers.
import type { ReactNode } from 'react';
import { render } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import { SessionProvider, type Me } from '../lib/session';
import { PERMISSIONS, type Grant, type Permission } from '../lib/permissions';

const ROLE_GRANTS: Record<string, Partial<Record<Permission, Grant>>> = {};

/** makeMe builds a session of a role; grants default to the admin API's table for that role. */
export function makeMe(role: 'admin' | 'manager' | 'user' | 'viewer', grants: Partial<Record<Permission, Grant>> = {}): Me {
  const base: Record<string, Grant> = {};
  for (const p of PERMISSIONS) base[p] = role === 'admin' ? 'tenant' : role === 'viewer' ? (p === 'session' ? 'own' : 'none') : 'own';
  return {
    user: { id: 'u-1', tenant_id: 't-1', email: `${role}@acme.test`, name: `${role} person`, role, status: 'active', has_password: true, sso: false, last_login_at: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' },
    tenant: { id: 't-1', slug: 'acme', name: 'Acme Bank' },
    session: { method: 'password', expires_at: '2026-12-31T00:00:00Z' },
    permissions: { ...base, ...ROLE_GRANTS[role], ...grants },
  };
}

/** renderPage renders element at path (with the route pattern given) inside a session. */
export function renderPage(element: ReactNode, { me = makeMe('admin'), path = '/', pattern = '*' }: { me?: Me; path?: string; pattern?: string } = {}) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(
    [
      { path: pattern, element: <SessionProvider me={me}>{element}</SessionProvider> },
      { path: '/login', element: <p>login page</p> },
    ],
    { initialEntries: [path] },
  );
  return { ...render(<QueryClientProvider client={qc}><RouterProvider router={router} /></QueryClientProvider>), router, qc };
}

type Answer = { status?: number; body?: unknown; headers?: Record<string, string> } | ((req: { url: string; method: string; body: unknown }) => { status?: number; body?: unknown });

/** stubAPI answers fetches by "METHOD /path" (path without the admin prefix and query); it records the calls. */
export function stubAPI(answers: Record<string, Answer>) {
  const calls: { method: string; url: string; body: unknown }[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, url, body });
    const path = url.replace(/^\/api\/v1\/admin/, '').split('?')[0];
    const a = answers[`${method} ${path}`];
    if (!a) return new Response(JSON.stringify({ error: { message: `no stub for ${method} ${path}`, type: 'test', code: null, param: null } }), { status: 500 });
    const out = typeof a === 'function' ? a({ url, method, body }) : a;
    return new Response(out.body === undefined ? null : JSON.stringify(out.body), { status: out.status ?? 200, headers: { 'Content-Type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchMock);
  return calls;
}
