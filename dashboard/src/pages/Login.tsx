import { useEffect, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { api, ApiError, type Schemas } from '../api/client';
import { Button, TextInput } from '../components/ui';

/** safeNext keeps only a path of this site, so a link cannot send a user elsewhere after sign-in. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) return '/';
  return next;
}

const SSO_ERRORS: Record<string, string> = {
  state_expired: 'The sign-in took too long. Try again.',
  user_suspended: 'Your account is suspended. Ask an administrator.',
  domain_not_allowed: 'Your e-mail domain may not sign in to this organisation.',
  idp_error: 'Your identity provider refused the sign-in.',
  provider_unreached: 'Your identity provider could not be reached. Try again later.',
};

function loginError(e: unknown): string {
  if (!(e instanceof ApiError)) return 'Sign-in failed. Try again.';
  if (e.status === 0) return e.message;
  if (e.status === 401) return 'Wrong e-mail or password.';
  if (e.status === 429) return `Too many failed sign-ins. Try again ${e.retryAfter ? `in ${Math.ceil(e.retryAfter / 60)} minutes` : 'later'}.`;
  if (e.code === 'sso_required') return 'Your organisation signs in with single sign-on: use “Sign in with SSO”.';
  return e.message;
}

export default function Login() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const nav = useNavigate();
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [tenant, setTenant] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [providers, setProviders] = useState<Schemas['SSOProvider'][] | null>(null);
  const ssoError = params.get('sso_error');
  // The form is usable from here on: the browser test reads this mark.
  useEffect(() => {
    performance.mark('aigw:login-interactive');
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post('/auth/login', { body: { email, password, ...(tenant ? { tenant } : {}) } });
      await qc.invalidateQueries({ queryKey: ['me'] });
      nav(next, { replace: true });
    } catch (err) {
      setError(loginError(err));
    } finally {
      setBusy(false);
    }
  }

  async function startSSO(slug: string) {
    setBusy(true);
    setError(null);
    try {
      const out = await api.post('/auth/sso/initiate', { body: { tenant: slug, return_to: next, ...(email ? { login_hint: email } : {}) } });
      window.location.assign(out.authorization_url);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Single sign-on could not start.');
      setBusy(false);
    }
  }

  async function findSSO() {
    if (!email && !tenant) {
      setError('Enter your work e-mail (or your organisation) to find its single sign-on.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const out = await api.get('/auth/sso/providers', { query: tenant ? { tenant } : { email } });
      if (out.providers.length === 1) return startSSO(out.providers[0].tenant.slug);
      if (out.providers.length === 0) setError('No single sign-on is set up for this e-mail address. Sign in with your password.');
      setProviders(out.providers);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not look up single sign-on.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Sign in to aigw</h1>
        <p className="mt-1 text-sm text-slate-700">The console of your AI gateway.</p>
        {params.get('expired') && (
          <p role="status" className="mt-4 rounded-md bg-amber-50 p-3 text-sm text-amber-900">
            Your session has ended. Sign in again to continue.
          </p>
        )}
        {ssoError && (
          <p role="alert" className="mt-4 rounded-md bg-red-50 p-3 text-sm text-red-900">
            {SSO_ERRORS[ssoError] ?? `Single sign-on did not complete (${ssoError}). Try again or ask your administrator.`}
          </p>
        )}
        <form className="mt-4 space-y-3" onSubmit={submit} noValidate>
          <TextInput label="E-mail" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <TextInput label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          <details className="text-sm">
            <summary className="min-h-11 cursor-pointer py-3">Several organisations?</summary>
            <TextInput label="Organisation (tenant slug)" hint="Only needed when your e-mail belongs to several organisations." value={tenant} onChange={(e) => setTenant(e.target.value)} />
          </details>
          {error && (
            <p role="alert" className="text-sm text-red-800">
              {error}
            </p>
          )}
          <Button type="submit" variant="primary" className="w-full" disabled={busy || !email || !password}>
            {busy ? 'Signing in…' : 'Sign in'}
          </Button>
        </form>
        <div className="my-4 flex items-center gap-2 text-xs text-slate-600">
          <span className="h-px flex-1 bg-slate-200" /> or <span className="h-px flex-1 bg-slate-200" />
        </div>
        <Button className="w-full" onClick={findSSO} disabled={busy}>
          Sign in with SSO
        </Button>
        {providers && providers.length > 1 && (
          <ul className="mt-3 space-y-2" aria-label="Organisations">
            {providers.map((p) => (
              <li key={p.tenant.slug}>
                <Button className="w-full" onClick={() => startSSO(p.tenant.slug)}>
                  {p.display_name || 'Single sign-on'} — {p.tenant.name}
                </Button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </main>
  );
}
