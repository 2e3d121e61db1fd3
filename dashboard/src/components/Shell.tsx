import { Suspense, useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { useSession } from '../lib/session';
import { GROUPS, PAGES } from '../routes';
import { Button, cx, SkeletonPage } from './ui';

/** Shell: the navigation (a drawer under 768 px), who is signed in, and the page. */
export function Shell() {
  const me = useSession();
  const [open, setOpen] = useState(false);
  const loc = useLocation();
  useEffect(() => setOpen(false), [loc.pathname]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  return (
    <div className="min-h-screen md:flex">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2">
        Skip to content
      </a>
      <header className="sticky top-0 z-30 flex items-center justify-between border-b border-slate-200 bg-white px-3 py-1 md:hidden">
        <Button variant="ghost" aria-expanded={open} aria-controls="nav" onClick={() => setOpen((o) => !o)}>
          <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true">
            <path d="M3 5h14M3 10h14M3 15h14" stroke="currentColor" strokeWidth="2" />
          </svg>
          Menu
        </Button>
        <span className="font-semibold">aigw</span>
        <span className="truncate text-sm text-slate-700">{me.tenant.name}</span>
      </header>
      {open && <div className="fixed inset-0 z-30 bg-slate-900/40 md:hidden" aria-hidden="true" onClick={() => setOpen(false)} />}
      <nav
        id="nav"
        aria-label="Main"
        className={cx(
          'fixed inset-y-0 left-0 z-40 w-72 max-w-[85vw] overflow-y-auto border-r border-slate-200 bg-white p-4 md:sticky md:top-0 md:h-screen md:w-60 md:translate-x-0',
          open ? 'translate-x-0' : '-translate-x-full max-md:invisible',
        )}
      >
        <div className="mb-4 border-b border-slate-200 pb-3">
          <p className="text-lg font-semibold">aigw</p>
          <p className="truncate text-sm font-medium" title={me.tenant.name}>
            {me.tenant.name}
          </p>
          <p className="truncate text-xs text-slate-700" title={me.user.email}>
            {me.user.name || me.user.email} · <span data-testid="role">{me.user.role}</span>
          </p>
        </div>
        {GROUPS.map((g) => {
          const items = PAGES.filter((p) => p.group === g && !p.hidden && (me.permissions[p.perm] ?? 'none') !== 'none');
          if (!items.length) return null;
          return (
            <div key={g} className="mb-3">
              <p className="px-2 text-xs font-semibold uppercase tracking-wide text-slate-600">{g}</p>
              <ul>
                {items.map((p) => (
                  <li key={p.path}>
                    <NavLink
                      to={'/' + p.path}
                      className={({ isActive }) => cx('flex min-h-11 items-center rounded-md px-2 text-sm', isActive ? 'bg-blue-50 font-semibold text-blue-800' : 'text-slate-800 hover:bg-slate-100')}
                    >
                      {p.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
        <SignOut />
      </nav>
      <main id="main" tabIndex={-1} className="min-w-0 flex-1 focus:outline-none">
        <Suspense fallback={<SkeletonPage />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}

function SignOut() {
  const qc = useQueryClient();
  const nav = useNavigate();
  const [busy, setBusy] = useState(false);
  return (
    <Button
      variant="secondary"
      className="mt-2 w-full"
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        try {
          await api.post('/auth/logout');
        } catch {
          /* the session may be gone already: sign-in is next either way */
        }
        qc.clear();
        nav('/login', { replace: true });
      }}
    >
      Sign out
    </Button>
  );
}
