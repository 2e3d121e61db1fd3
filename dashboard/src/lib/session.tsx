// The signed-in session: GET /auth/me, the role's permissions, and <Can>.
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { api, ApiError, csrfToken, onSessionExpired, type Schemas } from '../api/client';
import type { Grant, Permission } from './permissions';

export type Me = Schemas['Me'];
const SessionContext = createContext<Me | null>(null);

export const meQuery = { queryKey: ['me'], queryFn: () => api.get('/auth/me'), retry: false, staleTime: 60_000 } as const;

/** loginPath is where an expired or missing session sends the user, with the way back. */
export function loginPath(next: string, expired = false): string {
  const qs = new URLSearchParams();
  if (next && next !== '/' && !next.startsWith('/login')) qs.set('next', next);
  if (expired) qs.set('expired', '1');
  const s = qs.toString();
  return '/login' + (s ? '?' + s : '');
}

/** RequireSession renders its children with the session, or sends the user to sign in. */
export function RequireSession({ children, fallback }: { children: ReactNode; fallback: ReactNode }) {
  const loc = useLocation();
  const nav = useNavigate();
  const qc = useQueryClient();
  // Sign-in sets the readable aigw_csrf cookie beside the HttpOnly session
  // cookie, with the same lifetime, and sign-out clears both: without it
  // there is no session, and sign-in need not wait for a 401.
  const maybeSignedIn = csrfToken() !== '';
  const me = useQuery({ ...meQuery, enabled: maybeSignedIn });
  useEffect(
    () =>
      onSessionExpired(() => {
        qc.clear();
        nav(loginPath(window.location.pathname + window.location.search, true), { replace: true });
      }),
    [nav, qc],
  );
  if (!maybeSignedIn) return <Navigate to={loginPath(loc.pathname + loc.search)} replace />;
  if (me.isPending) return <>{fallback}</>;
  if (me.error) {
    if (me.error instanceof ApiError && me.error.status === 401) {
      return <Navigate to={loginPath(loc.pathname + loc.search)} replace />;
    }
    return (
      <div role="alert" className="m-6 rounded-lg border border-red-200 bg-red-50 p-4 text-red-900">
        Could not load your session: {me.error.message}.{' '}
        <button className="underline min-h-11" onClick={() => me.refetch()}>Retry</button>
      </div>
    );
  }
  return <SessionContext.Provider value={me.data}>{children}</SessionContext.Provider>;
}

/** SessionProvider is for tests and stories: a fixed session. */
export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <SessionContext.Provider value={me}>{children}</SessionContext.Provider>;
}

export function useSession(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useSession outside RequireSession');
  return me;
}

/** useGrant returns the caller's grant for a permission: tenant, own or none. */
export function useGrant(perm: Permission): Grant {
  const me = useContext(SessionContext);
  return ((me?.permissions[perm] as Grant | undefined) ?? 'none');
}

/** useCan says whether the caller may use a permission at all (own or tenant). */
export function useCan(perm: Permission): boolean {
  return useGrant(perm) !== 'none';
}

/** Can renders its children only when the caller's role has the permission
 *  (with need="tenant", only when it reaches every row of the tenant). */
export function Can({ perm, need = 'own', children, otherwise = null }: { perm: Permission; need?: 'own' | 'tenant'; children: ReactNode; otherwise?: ReactNode }) {
  const g = useGrant(perm);
  const ok = need === 'tenant' ? g === 'tenant' : g !== 'none';
  return <>{ok ? children : otherwise}</>;
}
