import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, type Schemas } from '../api/client';
import { Badge, Button, ConfirmDialog, Dialog, EmptyState, ErrorState, Page, Select, SkeletonPage, Table, TextInput, type Column } from '../components/ui';
import { formatInt, formatMoney, formatTime } from '../lib/format';
import { useUserNames } from '../lib/queries';
import { Can, useGrant, useSession } from '../lib/session';

type Key = Schemas['Key'];

export default function Keys() {
  const q = useQuery({ queryKey: ['api-keys'], queryFn: () => api.get('/api-keys', { query: { limit: 500 } }) });
  const users = useUserNames();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Schemas['NewKey'] | null>(null);
  const [revoking, setRevoking] = useState<Key | null>(null);
  const revokeGrant = useGrant('keys.revoke');
  const me = useSession();
  const qc = useQueryClient();
  const revoke = useMutation({
    mutationFn: (k: Key) => api.del('/api-keys/{key_id}', { path: { key_id: k.id } }),
    onSuccess: () => {
      setRevoking(null);
      qc.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const mayRevoke = (k: Key) => k.status === 'active' && (revokeGrant === 'tenant' || (revokeGrant === 'own' && k.user_id === me.user.id));
  const columns: Column<Key>[] = [
    { key: 'name', header: 'Name', cell: (k) => <span className="font-medium">{k.name || 'unnamed'}</span> },
    { key: 'prefix', header: 'Prefix', cell: (k) => <code>{k.prefix}…</code> },
    { key: 'owner', header: 'Owner', cell: (k) => (k.user_id ? users.get(k.user_id) ?? (k.user_id === me.user.id ? me.user.name || me.user.email : k.user_id.slice(0, 8)) : 'tenant-wide') },
    { key: 'limits', header: 'Limits', cell: limits },
    { key: 'spend', header: 'Spend this month', cell: (k) => formatMoney(k.spent_this_month_usd), className: 'tabular-nums' },
    { key: 'used', header: 'Last used', cell: (k) => (k.last_used_at ? formatTime(k.last_used_at, { withZone: false }) : 'never') },
    { key: 'status', header: 'Status', cell: (k) => <Badge tone={k.status === 'active' ? 'green' : 'slate'}>{k.status}</Badge> },
    {
      key: 'actions',
      header: 'Actions',
      cell: (k) =>
        mayRevoke(k) ? (
          <Button variant="ghost" className="text-red-800" aria-label={`Revoke ${k.name || k.prefix}`} onClick={() => { revoke.reset(); setRevoking(k); }}>
            Revoke
          </Button>
        ) : null,
    },
  ];
  return (
    <Page
      title="API keys"
      description="The keys that call the gateway: who owns them, their limits, what they spent this month."
      actions={
        <Can perm="keys.create">
          <Button variant="primary" onClick={() => setCreating(true)}>
            Create key
          </Button>
        </Can>
      }
    >
      {q.isPending ? (
        <SkeletonPage rows={4} />
      ) : q.error ? (
        <ErrorState what="API keys" error={q.error} retry={() => q.refetch()} />
      ) : q.data.data.length === 0 ? (
        <EmptyState title="No keys yet — create one to call the gateway." action={<Can perm="keys.create"><Button variant="primary" onClick={() => setCreating(true)}>Create key</Button></Can>} />
      ) : (
        <Table caption="API keys" columns={columns} rows={q.data.data} rowKey={(k) => k.id} />
      )}
      {creating && (
        <CreateKey
          onClose={() => setCreating(false)}
          onCreated={(k) => {
            setCreating(false);
            setCreated(k);
            qc.invalidateQueries({ queryKey: ['api-keys'] });
          }}
        />
      )}
      {created && <ShowKeyOnce k={created} onClose={() => setCreated(null)} />}
      {revoking && (
        <ConfirmDialog title={`Revoke “${revoking.name || revoking.prefix}”?`} confirmLabel="Revoke key" busy={revoke.isPending} error={revoke.error} onCancel={() => setRevoking(null)} onConfirm={() => revoke.mutate(revoking)}>
          The key <strong>{revoking.name || 'unnamed'}</strong> (<code>{revoking.prefix}…</code>) stops working at every gateway within a second. Applications using it will get 401 errors. This cannot be undone.
        </ConfirmDialog>
      )}
    </Page>
  );
}

function limits(k: Key): string {
  const parts = [];
  if (k.rpm) parts.push(`${formatInt(k.rpm)} rpm`);
  if (k.tpm) parts.push(`${formatInt(k.tpm)} tpm`);
  if (k.budget_usd) parts.push(`${formatMoney(k.budget_usd)}/month`);
  if (k.models.length) parts.push(k.models.join(', '));
  return parts.join(' · ') || 'gateway defaults';
}

function CreateKey({ onClose, onCreated }: { onClose: () => void; onCreated: (k: Schemas['NewKey']) => void }) {
  const grant = useGrant('keys.create');
  const me = useSession();
  const users = useQuery({ queryKey: ['users', 'names'], queryFn: () => api.get('/users', { query: { limit: 500 } }), enabled: grant === 'tenant' });
  const [f, setF] = useState({ name: '', user_id: grant === 'tenant' ? me.user.id : '', models: '', budget_usd: '', rpm: '', tpm: '' });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const create = useMutation({
    mutationFn: () =>
      api.post('/api-keys', {
        body: {
          name: f.name.trim(),
          ...(f.user_id ? { user_id: f.user_id } : {}),
          ...(f.models.trim() ? { models: f.models.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
          ...(f.budget_usd.trim() ? { budget_usd: f.budget_usd.trim() } : {}),
          ...(f.rpm ? { rpm: Number(f.rpm) } : {}),
          ...(f.tpm ? { tpm: Number(f.tpm) } : {}),
        },
      }),
    onSuccess: onCreated,
  });
  const err = create.error instanceof ApiError ? create.error : null;
  const fieldErr = (p: string) => (err?.param === p ? err.message : null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Dialog title="Create an API key" onClose={onClose}>
      <form onSubmit={submit} className="space-y-3" noValidate>
        <TextInput label="Name" required value={f.name} onChange={set('name')} hint="To tell the key apart, such as ci-runner." error={fieldErr('name')} />
        {grant === 'tenant' && (
          <Select label="Owner" value={f.user_id} onChange={set('user_id')} error={fieldErr('user_id')}>
            <option value="">Tenant-wide (no user)</option>
            {!users.data && <option value={me.user.id}>{me.user.name || me.user.email} (you)</option>}
            {users.data?.data.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name || u.email} ({u.role})
              </option>
            ))}
          </Select>
        )}
        <TextInput label="Models" value={f.models} onChange={set('models')} hint="Comma-separated globs such as gpt-4o*; empty: every model." error={fieldErr('models')} />
        <TextInput label="Monthly budget (USD)" inputMode="decimal" value={f.budget_usd} onChange={set('budget_usd')} hint="Empty: no budget of its own." error={fieldErr('budget_usd')} />
        <div className="grid grid-cols-2 gap-3">
          <TextInput label="Requests per minute" inputMode="numeric" value={f.rpm} onChange={set('rpm')} error={fieldErr('rpm')} />
          <TextInput label="Tokens per minute" inputMode="numeric" value={f.tpm} onChange={set('tpm')} error={fieldErr('tpm')} />
        </div>
        {create.error && !err?.param && (
          <p role="alert" className="text-sm text-red-800">
            {create.error.message}
          </p>
        )}
        <div className="flex justify-end gap-2 pt-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create key'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** ShowKeyOnce shows a new key's secret, once; it lives only in this dialog's props. */
function ShowKeyOnce({ k, onClose }: { k: Schemas['NewKey']; onClose: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(k.key);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <Dialog title="Your new API key" onClose={onClose} footer={<Button variant="primary" onClick={onClose}>I have saved it</Button>}>
      <p role="alert" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
        Copy it now: you will not see it again. Anyone with this key can call the gateway as <strong>{k.name || 'this key'}</strong>.
      </p>
      <label className="block text-sm font-medium" htmlFor="new-key">
        Key
      </label>
      <div className="flex gap-2">
        <input id="new-key" readOnly value={k.key} data-testid="new-key" className="min-h-11 w-full rounded-md border border-slate-400 bg-slate-50 px-3 font-mono text-sm" onFocus={(e) => e.currentTarget.select()} />
        <Button onClick={copy}>Copy</Button>
      </div>
      <p aria-live="polite" className="text-sm text-slate-700">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'no' ? 'Copy failed: select the key and copy it by hand.' : ''}
      </p>
    </Dialog>
  );
}
