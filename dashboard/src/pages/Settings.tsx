// Settings: the signed-in account, the tenant's single sign-on (an OpenID
// Connect provider, checked with "Discover" before saving) and its pricing
// plan. Each section shows only to roles that may read it; its buttons only
// to roles that may change it.
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, type Schemas } from '../api/client';
import { Badge, Button, Card, ErrorState, Field, Page, Select, Skeleton, TextInput } from '../components/ui';
import { formatMoney, formatTime } from '../lib/format';
import { useCan, useSession } from '../lib/session';

type SSO = Schemas['SSOConfig'];
type Plan = Schemas['BillingPlan'];
type Role = 'admin' | 'manager' | 'user' | 'viewer';
const ROLES: Role[] = ['admin', 'manager', 'user', 'viewer'];

export default function SettingsPage() {
  const canSSO = useCan('sso.read');
  const canPlan = useCan('billing.read');
  return (
    <Page title="Settings" description="Your account, how your people sign in, and the prices your invoices use.">
      <div className="grid gap-4 lg:grid-cols-2">
        <Account />
        {canPlan && <PlanSection />}
        {canSSO && <SSOSection />}
      </div>
    </Page>
  );
}

function Account() {
  const me = useSession();
  return (
    <Card title="Your account">
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="font-medium text-slate-700">Name</dt>
        <dd>{me.user.name || '—'}</dd>
        <dt className="font-medium text-slate-700">E-mail</dt>
        <dd className="break-all">{me.user.email}</dd>
        <dt className="font-medium text-slate-700">Role</dt>
        <dd>
          <Badge tone="blue">{me.user.role}</Badge>
        </dd>
        <dt className="font-medium text-slate-700">Tenant</dt>
        <dd>
          {me.tenant.name} ({me.tenant.slug})
        </dd>
        <dt className="font-medium text-slate-700">Signed in with</dt>
        <dd>
          {me.session.method === 'sso' ? 'single sign-on' : me.session.method}, until {formatTime(me.session.expires_at)}
        </dd>
      </dl>
    </Card>
  );
}

// ---- SSO ----------------------------------------------------------------

interface SSODraft {
  issuer: string;
  client_id: string;
  /** "" with keepSecret: leave the stored secret as it is. */
  client_secret: string;
  keepSecret: boolean;
  display_name: string;
  scopes: string;
  allowed_domains: string;
  role_claim: string;
  role_mapping: string;
  default_role: Role;
  enabled: boolean;
  sso_only: boolean;
  sync_role: boolean;
}

function ssoDraft(c: SSO): SSODraft {
  return {
    issuer: c.issuer,
    client_id: c.client_id,
    client_secret: '',
    keepSecret: c.client_secret_set,
    display_name: c.display_name,
    scopes: c.scopes.join(' '),
    allowed_domains: c.allowed_domains.join(', '),
    role_claim: c.role_claim,
    role_mapping: Object.entries(c.role_mapping)
      .map(([g, r]) => `${g}=${r}`)
      .join('\n'),
    default_role: c.default_role,
    // A new configuration is enabled unless the admin says otherwise (the server's default too).
    enabled: c.configured ? c.enabled : true,
    sso_only: c.sso_only,
    sync_role: c.sync_role,
  };
}

/** parseMapping reads "group=role" lines; it throws naming the first bad line. */
export function parseMapping(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split('\n').forEach((line, i) => {
    const l = line.trim();
    if (!l) return;
    const eq = l.lastIndexOf('=');
    const g = l.slice(0, eq).trim();
    const r = l.slice(eq + 1).trim();
    if (eq <= 0 || !g || !ROLES.includes(r as Role)) throw new Error(`Role mapping line ${i + 1}: write group=role, the role one of ${ROLES.join(', ')}.`);
    out[g] = r;
  });
  return out;
}

/** ssoRequest builds the POST/PUT body; a kept secret is left out, so the server keeps it. */
export function ssoRequest(d: SSODraft): Schemas['ssoConfigRequest'] {
  const body: Schemas['ssoConfigRequest'] = {
    issuer: d.issuer.trim(),
    client_id: d.client_id.trim(),
    display_name: d.display_name.trim(),
    scopes: d.scopes.split(/[\s,]+/).filter(Boolean),
    allowed_domains: d.allowed_domains.split(/[\s,]+/).filter(Boolean),
    role_claim: d.role_claim.trim(),
    role_mapping: parseMapping(d.role_mapping),
    default_role: d.default_role,
    enabled: d.enabled,
    sso_only: d.sso_only,
    sync_role: d.sync_role,
  };
  if (!d.keepSecret) body.client_secret = d.client_secret;
  return body;
}

function SSOSection() {
  const q = useQuery({ queryKey: ['sso', 'config'], queryFn: () => api.get('/sso/config') });
  return (
    <Card title="Single sign-on (OpenID Connect)" className="lg:col-span-2">
      {q.isPending ? (
        <div aria-busy="true" aria-label="Loading the SSO configuration" className="space-y-3">
          <Skeleton className="h-11 w-full" />
          <Skeleton className="h-11 w-full" />
          <Skeleton className="h-11 w-2/3" />
        </div>
      ) : q.error ? (
        <ErrorState what="the SSO configuration" error={q.error} retry={() => q.refetch()} />
      ) : (
        <SSOForm config={q.data} />
      )}
    </Card>
  );
}

function SSOForm({ config }: { config: SSO }) {
  const qc = useQueryClient();
  const canWrite = useCan('sso.write');
  const [d, setD] = useState(() => ssoDraft(config));
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setD(ssoDraft(config)), [config]);
  const set = (p: Partial<SSODraft>) => {
    setSaved(false);
    setD((x) => ({ ...x, ...p }));
  };
  const discover = useMutation({ mutationFn: (issuer: string) => api.post('/sso/discover', { body: { issuer } }) });
  const save = useMutation({
    mutationFn: (body: Schemas['ssoConfigRequest']) => (config.configured ? api.put('/sso/config', { body }) : api.post('/sso/config', { body })),
    onSuccess: (c) => {
      qc.setQueryData(['sso', 'config'], c);
      setSaved(true);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    let body;
    try {
      body = ssoRequest(d);
    } catch (err) {
      setFormError((err as Error).message);
      return;
    }
    save.mutate(body);
  };
  const bad = save.error instanceof ApiError ? save.error : null;
  const errFor = (f: string) => (bad?.param === f ? bad.message : null);
  const disc = discover.data;

  return (
    <form onSubmit={submit} aria-label="SSO configuration" className="space-y-4">
      <p className="text-sm text-slate-700">
        {config.configured ? (
          <>
            {config.enabled ? <Badge tone="green">Enabled</Badge> : <Badge tone="slate">Disabled</Badge>} Updated {formatTime(config.updated_at)}.
          </>
        ) : (
          'Not configured: your people sign in with passwords.'
        )}
        {config.redirect_uri && (
          <span className="mt-1 block">
            Register this callback URL at your provider: <code className="break-all rounded bg-slate-100 px-1">{config.redirect_uri}</code>
          </span>
        )}
      </p>
      <fieldset disabled={!canWrite} className="grid gap-3 sm:grid-cols-2">
        <div className="sm:col-span-2">
          <TextInput label="Issuer URL" type="url" required placeholder="https://login.example.com/realms/bank" value={d.issuer} onChange={(e) => set({ issuer: e.target.value })} error={errFor('issuer')} hint="Exactly as the provider’s tokens name it." />
          {canWrite && (
            <Button className="mt-2" onClick={() => discover.mutate(d.issuer.trim())} disabled={!d.issuer.trim() || discover.isPending}>
              {discover.isPending ? 'Discovering…' : 'Discover'}
            </Button>
          )}
        </div>
        <TextInput label="Client id" required value={d.client_id} onChange={(e) => set({ client_id: e.target.value })} error={errFor('client_id')} />
        <div>
          <TextInput
            label="Client secret"
            type="password"
            autoComplete="new-password"
            value={d.client_secret}
            placeholder={d.keepSecret ? 'stored (leave empty to keep)' : 'none: a public client with PKCE'}
            onChange={(e) => set({ client_secret: e.target.value, keepSecret: config.client_secret_set && e.target.value === '' })}
            error={errFor('client_secret')}
            hint="Write-only: never shown again after saving."
          />
          {config.client_secret_set && canWrite && (
            <label className="mt-1 flex min-h-11 items-center gap-2 text-sm">
              <input type="checkbox" className="h-5 w-5" checked={!d.keepSecret && d.client_secret === ''} onChange={(e) => set({ keepSecret: !e.target.checked, client_secret: '' })} />
              Remove the stored secret
            </label>
          )}
        </div>
        <TextInput label="Button label" value={d.display_name} onChange={(e) => set({ display_name: e.target.value })} placeholder="Sign in with Acme ID" />
        <TextInput label="Scopes" value={d.scopes} onChange={(e) => set({ scopes: e.target.value })} hint="Space separated; must include openid." error={errFor('scopes')} />
        <TextInput label="Allowed e-mail domains" value={d.allowed_domains} onChange={(e) => set({ allowed_domains: e.target.value })} hint="Comma separated; empty: any." error={errFor('allowed_domains')} />
        <TextInput label="Group claim" value={d.role_claim} onChange={(e) => set({ role_claim: e.target.value })} hint="groups, roles or a dotted path such as realm_access.roles." />
        <Field label="Group to role" hint="One group=role per line; the most powerful match wins." error={errFor('role_mapping')}>
          {(id, by) => <textarea id={id} aria-describedby={by} rows={3} className="w-full rounded-md border border-slate-400 p-2 font-mono text-sm" value={d.role_mapping} onChange={(e) => set({ role_mapping: e.target.value })} />}
        </Field>
        <Select label="Role when no group matches" value={d.default_role} onChange={(e) => set({ default_role: e.target.value as Role })}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
        <div className="space-y-1 sm:col-span-2">
          {(
            [
              ['enabled', 'Enabled', 'Show “Sign in with SSO” on the sign-in page.'],
              ['sso_only', 'SSO only', 'Refuse password sign-in to your people.'],
              ['sync_role', 'Sync role at each sign-in', 'Set the role from the provider’s groups every time.'],
            ] as const
          ).map(([k, label, hint]) => (
            <label key={k} className="flex min-h-11 items-center gap-3 text-sm">
              <input type="checkbox" className="h-5 w-5" checked={d[k]} onChange={(e) => set({ [k]: e.target.checked } as Partial<SSODraft>)} />
              <span>
                <span className="font-medium">{label}</span>
                <span className="block text-xs text-slate-700">{hint}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {discover.error && (
        <p role="alert" className="text-sm text-red-800">
          Discovery failed: {discover.error.message}
        </p>
      )}
      {disc && (
        <div className="rounded-md border border-slate-200 bg-slate-50 p-3 text-sm" aria-live="polite">
          <p className="font-medium">
            Found {disc.issuer}. PKCE: {disc.pkce === 'supported' ? <Badge tone="green">supported</Badge> : <Badge tone="amber">not advertised (S256 sent anyway)</Badge>}
          </p>
          <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 break-all text-xs">
            <dt className="font-medium">Authorization</dt>
            <dd>{disc.authorization_endpoint}</dd>
            <dt className="font-medium">Token</dt>
            <dd>{disc.token_endpoint}</dd>
            <dt className="font-medium">Keys</dt>
            <dd>{disc.jwks_uri}</dd>
            <dt className="font-medium">Scopes</dt>
            <dd>{disc.scopes_supported.join(' ') || '—'}</dd>
            <dt className="font-medium">Callback to register</dt>
            <dd>{disc.redirect_uri || '—'}</dd>
          </dl>
          {disc.warnings.length > 0 && (
            <ul className="mt-2 list-disc pl-5 text-amber-900">
              {disc.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {canWrite ? (
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" variant="primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : config.configured ? 'Save SSO' : 'Set up SSO'}
          </Button>
          <span role="status" className="text-sm text-green-800">
            {saved ? 'Saved.' : ''}
          </span>
        </div>
      ) : (
        <p className="text-sm text-slate-700">Only admins change single sign-on.</p>
      )}
      {(formError || save.error) && (
        <p role="alert" className="text-sm text-red-800">
          Could not save: {formError ?? save.error?.message}
        </p>
      )}
    </form>
  );
}

// ---- Pricing plan -------------------------------------------------------

interface Adj {
  target: 'model' | 'provider';
  name: string;
  percent: string;
}

function PlanSection() {
  const q = useQuery({ queryKey: ['billing', 'plan'], queryFn: () => api.get('/billing/plan') });
  return (
    <Card title="Pricing plan">
      {q.isPending ? (
        <div aria-busy="true" aria-label="Loading the plan" className="space-y-3">
          <Skeleton className="h-11 w-full" />
          <Skeleton className="h-11 w-full" />
        </div>
      ) : q.error ? (
        <ErrorState what="the pricing plan" error={q.error} retry={() => q.refetch()} />
      ) : (
        <PlanForm plan={q.data} />
      )}
    </Card>
  );
}

/** planRequest builds PUT /billing/plan's body from the form, amounts as typed (exact strings). */
export function planRequest(p: { currency: string; seat_fee: string; usd_rate: string; adjustments: Adj[] }): Schemas['PlanInputRequest'] {
  const currency = p.currency.trim().toUpperCase();
  return {
    currency,
    seat_fee: p.seat_fee.trim(),
    usd_rate: currency === 'USD' ? undefined : p.usd_rate.trim(),
    adjustments: p.adjustments.filter((a) => a.name.trim() && a.percent.trim()).map((a) => ({ [a.target]: a.name.trim(), percent: a.percent.trim() })),
  };
}

function PlanForm({ plan }: { plan: Plan }) {
  const qc = useQueryClient();
  const canWrite = useCan('billing.write');
  const init = () => ({
    currency: plan.currency,
    seat_fee: plan.seat_fee,
    usd_rate: plan.usd_rate,
    adjustments: plan.adjustments.map((a): Adj => ({ target: a.model ? 'model' : 'provider', name: a.model || a.provider || '', percent: a.percent })),
  });
  const [f, setF] = useState(init);
  const [saved, setSaved] = useState(false);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => setF(init()), [plan]);
  const save = useMutation({
    mutationFn: () => api.put('/billing/plan', { body: planRequest(f) }),
    onSuccess: (p) => {
      qc.setQueryData(['billing', 'plan'], p);
      qc.invalidateQueries({ queryKey: ['billing', 'summary'] });
      setSaved(true);
    },
  });
  const set = (p: Partial<typeof f>) => {
    setSaved(false);
    setF((x) => ({ ...x, ...p }));
  };
  const setAdj = (i: number, p: Partial<Adj>) => set({ adjustments: f.adjustments.map((a, j) => (j === i ? { ...a, ...p } : a)) });
  const bad = save.error instanceof ApiError ? save.error : null;
  const errFor = (x: string) => (bad?.param === x ? bad.message : null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} aria-label="Pricing plan" className="space-y-4">
      <p className="text-sm text-slate-700">
        {plan.default ? 'The default plan: token cost at list price in US dollars, no seat fee.' : `Updated ${formatTime(plan.updated_at)}.`} Seats: {formatMoney(plan.seat_fee, plan.currency)} per active user per month.
      </p>
      <fieldset disabled={!canWrite} className="grid gap-3 sm:grid-cols-3">
        <TextInput label="Currency" value={f.currency} maxLength={3} onChange={(e) => set({ currency: e.target.value })} hint="ISO 4217, such as USD or EUR." error={errFor('currency')} />
        <TextInput label="Seat fee" inputMode="decimal" required value={f.seat_fee} onChange={(e) => set({ seat_fee: e.target.value })} hint="Per active user per month." error={errFor('seat_fee')} />
        <TextInput
          label="Units per US dollar"
          inputMode="decimal"
          value={f.currency.trim().toUpperCase() === 'USD' ? '1' : f.usd_rate}
          disabled={f.currency.trim().toUpperCase() === 'USD'}
          onChange={(e) => set({ usd_rate: e.target.value })}
          hint="Converts token cost to the currency."
          error={errFor('usd_rate')}
        />
        <div className="sm:col-span-3">
          <h3 className="mb-1 text-sm font-medium">Markups and discounts on token cost</h3>
          {f.adjustments.length === 0 && <p className="text-sm text-slate-700">None: token cost at list price.</p>}
          <ul className="space-y-2">
            {f.adjustments.map((a, i) => (
              <li key={i} className="grid grid-cols-2 items-end gap-2 sm:grid-cols-[8rem_1fr_8rem_auto]">
                <Select label={`Adjustment ${i + 1} applies to`} value={a.target} onChange={(e) => setAdj(i, { target: e.target.value as Adj['target'] })}>
                  <option value="model">model</option>
                  <option value="provider">provider</option>
                </Select>
                <TextInput label={a.target === 'model' ? 'Model id' : 'Provider'} value={a.name} onChange={(e) => setAdj(i, { name: e.target.value })} />
                <TextInput label="Percent" inputMode="decimal" value={a.percent} onChange={(e) => setAdj(i, { percent: e.target.value })} hint="10 markup, -5 discount" />
                {canWrite && (
                  <Button aria-label={`Remove adjustment ${i + 1}`} onClick={() => set({ adjustments: f.adjustments.filter((_, j) => j !== i) })}>
                    Remove
                  </Button>
                )}
              </li>
            ))}
          </ul>
          {canWrite && (
            <Button className="mt-2" onClick={() => set({ adjustments: [...f.adjustments, { target: 'model', name: '', percent: '' }] })}>
              Add adjustment
            </Button>
          )}
          {errFor('adjustments') && <p className="mt-1 text-sm text-red-800">{errFor('adjustments')}</p>}
        </div>
      </fieldset>
      {canWrite ? (
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" variant="primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save plan'}
          </Button>
          <span role="status" className="text-sm text-green-800">
            {saved ? 'Saved: the next invoices use it.' : ''}
          </span>
        </div>
      ) : (
        <p className="text-sm text-slate-700">Only admins change the pricing plan.</p>
      )}
      {save.error && (
        <p role="alert" className="text-sm text-red-800">
          Could not save the plan: {save.error.message}
        </p>
      )}
    </form>
  );
}
