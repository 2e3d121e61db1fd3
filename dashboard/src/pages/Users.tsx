import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, ApiError, type Schemas } from '../api/client';
import { Badge, Button, Card, ConfirmDialog, Dialog, EmptyState, ErrorState, Page, Select, Skeleton, SkeletonPage, Table, TextInput, type Column } from '../components/ui';
import { formatInt, formatMoney, formatTime } from '../lib/format';
import { PERMISSION_LABELS, PERMISSIONS } from '../lib/permissions';
import { ROLES, useRoleMatrix, type Role } from '../lib/roles';
import { Can, useCan, useGrant, useSession } from '../lib/session';

type User = Schemas['User'];
type Pending = { kind: 'role'; user: User; role: Role } | { kind: 'suspend' | 'reactivate' | 'delete'; user: User };

export default function Users() {
  const me = useSession();
  const q = useQuery({ queryKey: ['users'], queryFn: () => api.get('/users', { query: { limit: 500 } }) });
  const [creating, setCreating] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);
  const [detail, setDetail] = useState<User | null>(null);
  const mayUpdate = useGrant('users.update') === 'tenant';
  const mayDelete = useCan('users.delete');
  const qc = useQueryClient();
  // Only admins manage admins (the server's canManage rule).
  const manageable = (u: User) => u.id !== me.user.id && (me.user.role === 'admin' || u.role !== 'admin');
  const act = useMutation({
    mutationFn: async (p: Pending) => {
      if (p.kind === 'delete') return api.del('/users/{user_id}', { path: { user_id: p.user.id } });
      const body = p.kind === 'role' ? { role: p.role } : { status: p.kind === 'suspend' ? ('suspended' as const) : ('active' as const) };
      return api.put('/users/{user_id}', { path: { user_id: p.user.id }, body });
    },
    onSuccess: () => {
      setPending(null);
      qc.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const ask = (p: Pending) => {
    act.reset();
    setPending(p);
  };
  const columns: Column<User>[] = [
    { key: 'name', header: 'Name', cell: (u) => <span className="font-medium">{u.name || '—'}</span> },
    { key: 'email', header: 'E-mail', cell: (u) => u.email },
    {
      key: 'role',
      header: 'Role',
      cell: (u) =>
        mayUpdate && manageable(u) ? (
          <select aria-label={`Role of ${u.email}`} className="min-h-11 rounded-md border border-slate-400 bg-white px-2" value={u.role} onChange={(e) => ask({ kind: 'role', user: u, role: e.target.value as Role })}>
            {ROLES.filter((r) => me.user.role === 'admin' || r !== 'admin').map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        ) : (
          u.role
        ),
    },
    { key: 'status', header: 'Status', cell: (u) => <Badge tone={u.status === 'active' ? 'green' : 'amber'}>{u.status}</Badge> },
    { key: 'login', header: 'Last sign-in', cell: (u) => (u.last_login_at ? formatTime(u.last_login_at, { withZone: false }) : 'never') },
    {
      key: 'actions',
      header: 'Actions',
      cell: (u) => (
        <span className="flex flex-wrap gap-1">
          <Button variant="ghost" aria-label={`Usage of ${u.email}`} onClick={() => setDetail(u)}>
            Usage
          </Button>
          {mayUpdate && manageable(u) && (
            <Button variant="ghost" aria-label={`${u.status === 'active' ? 'Suspend' : 'Reactivate'} ${u.email}`} onClick={() => ask({ kind: u.status === 'active' ? 'suspend' : 'reactivate', user: u })}>
              {u.status === 'active' ? 'Suspend' : 'Reactivate'}
            </Button>
          )}
          {mayDelete && manageable(u) && (
            <Button variant="ghost" className="text-red-800" aria-label={`Delete ${u.email}`} onClick={() => ask({ kind: 'delete', user: u })}>
              Delete
            </Button>
          )}
        </span>
      ),
    },
  ];
  return (
    <Page
      title="Users"
      description="Who may sign in to this tenant, with which role; what each role may do is below."
      actions={
        <Can perm="users.create">
          <Button variant="primary" onClick={() => setCreating(true)}>
            Add user
          </Button>
        </Can>
      }
    >
      {q.isPending ? (
        <SkeletonPage rows={4} />
      ) : q.error ? (
        <ErrorState what="users" error={q.error} retry={() => q.refetch()} />
      ) : q.data.data.length === 0 ? (
        <EmptyState title="No users yet — add one." />
      ) : (
        <Table caption="Users" columns={columns} rows={q.data.data} rowKey={(u) => u.id} />
      )}
      <RoleTable />
      {creating && <CreateUser onClose={() => setCreating(false)} onCreated={() => { setCreating(false); qc.invalidateQueries({ queryKey: ['users'] }); }} />}
      {detail && <UserUsage u={detail} onClose={() => setDetail(null)} />}
      {pending && (
        <ConfirmDialog
          title={confirmTitle(pending)}
          confirmLabel={pending.kind === 'role' ? 'Change role' : pending.kind === 'delete' ? 'Delete user' : pending.kind === 'suspend' ? 'Suspend user' : 'Reactivate user'}
          busy={act.isPending}
          error={act.error}
          onCancel={() => setPending(null)}
          onConfirm={() => act.mutate(pending)}
        >
          {confirmText(pending)}
        </ConfirmDialog>
      )}
    </Page>
  );
}

function confirmTitle(p: Pending): string {
  const who = p.user.name || p.user.email;
  switch (p.kind) {
    case 'role':
      return `Make ${who} ${p.role === 'admin' ? 'an' : 'a'} ${p.role}?`;
    case 'delete':
      return `Delete ${who}?`;
    case 'suspend':
      return `Suspend ${who}?`;
    default:
      return `Reactivate ${who}?`;
  }
}

function confirmText(p: Pending) {
  const who = <strong>{p.user.email}</strong>;
  switch (p.kind) {
    case 'role':
      return <>{who} changes from {p.user.role} to {p.role}; what they may do changes at once.</>;
    case 'delete':
      return <>{who} is removed and every API key they own is revoked at every gateway. This cannot be undone.</>;
    case 'suspend':
      return <>{who} is signed out, cannot sign in, and their keys stop working until reactivated.</>;
    default:
      return <>{who} may sign in again and their keys work again.</>;
  }
}

function CreateUser({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const me = useSession();
  const [f, setF] = useState({ email: '', name: '', role: 'user' as Role, password: '' });
  const create = useMutation({
    mutationFn: () => api.post('/users', { body: { email: f.email.trim(), name: f.name.trim(), role: f.role, ...(f.password ? { password: f.password } : {}) } }),
    onSuccess: onCreated,
  });
  const err = create.error instanceof ApiError ? create.error : null;
  const fieldErr = (p: string) => (err?.param === p ? err.message : null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Dialog title="Add a user" onClose={onClose}>
      <form onSubmit={submit} className="space-y-3" noValidate>
        <TextInput label="E-mail" type="email" required value={f.email} onChange={(e) => setF({ ...f, email: e.target.value })} error={fieldErr('email')} />
        <TextInput label="Name" required value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} error={fieldErr('name')} />
        <Select label="Role" value={f.role} onChange={(e) => setF({ ...f, role: e.target.value as Role })} error={fieldErr('role')}>
          {ROLES.filter((r) => me.user.role === 'admin' || r !== 'admin').map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
        <TextInput label="Initial password" type="password" autoComplete="new-password" value={f.password} onChange={(e) => setF({ ...f, password: e.target.value })} hint="12 characters or more. Leave empty for a user who signs in with SSO." error={fieldErr('password')} />
        {create.error && !err?.param && (
          <p role="alert" className="text-sm text-red-800">
            {create.error.message}
          </p>
        )}
        <div className="flex justify-end gap-2 pt-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            {create.isPending ? 'Adding…' : 'Add user'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function UserUsage({ u, onClose }: { u: User; onClose: () => void }) {
  const q = useQuery({ queryKey: ['users', u.id, 'usage'], queryFn: () => api.get('/users/{user_id}/usage', { path: { user_id: u.id } }) });
  return (
    <Dialog title={`Usage of ${u.name || u.email} this month`} onClose={onClose} footer={<Button onClick={onClose}>Close</Button>}>
      {q.isPending ? (
        <Skeleton className="h-24" />
      ) : q.error ? (
        <ErrorState what="usage" error={q.error} retry={() => q.refetch()} />
      ) : (
        <div className="space-y-3 text-sm">
          <dl className="grid grid-cols-3 gap-2">
            <div>
              <dt className="text-xs text-slate-700">Requests</dt>
              <dd className="text-lg font-semibold" data-testid="user-usage-requests">{formatInt(q.data.totals.requests)}</dd>
            </div>
            <div>
              <dt className="text-xs text-slate-700">Tokens</dt>
              <dd className="text-lg font-semibold">{formatInt(q.data.totals.prompt_tokens + q.data.totals.completion_tokens)}</dd>
            </div>
            <div>
              <dt className="text-xs text-slate-700">Cost</dt>
              <dd className="text-lg font-semibold">{formatMoney(q.data.totals.cost_usd)}</dd>
            </div>
          </dl>
          <ul className="space-y-1">
            {q.data.by_model.map((g) => (
              <li key={g.key} className="flex justify-between">
                <span>{g.key || '(no model)'}</span>
                <span className="tabular-nums">{formatInt(g.requests)} req · {formatMoney(g.cost_usd)}</span>
              </li>
            ))}
          </ul>
          <Link className="inline-flex min-h-11 items-center underline" to={`/requests?period=month&user_id=${u.id}`}>
            See their requests
          </Link>
        </div>
      )}
    </Dialog>
  );
}

function RoleTable() {
  const q = useRoleMatrix();
  const me = useSession();
  return (
    <Card title="What each role may do" className="mt-6">
      <p className="mb-2 text-sm text-slate-700">
        <em>All</em>: every row of the tenant; <em>own</em>: the person’s own profile, keys and usage; — : not allowed. Only admins manage admins. You are {me.user.role === 'admin' ? 'an' : 'a'} {me.user.role}.
      </p>
      {q.isPending ? (
        <Skeleton className="h-40" />
      ) : q.error ? (
        <ErrorState what="the role table" error={q.error} retry={() => q.refetch()} />
      ) : (
        <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Permissions by role">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Permissions by role</caption>
            <thead>
              <tr className="bg-slate-100">
                <th scope="col" className="px-2 py-2">Permission</th>
                {ROLES.map((r) => (
                  <th key={r} scope="col" className="px-2 py-2">
                    {r}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {PERMISSIONS.filter((p) => q.data[p]).map((p) => (
                <tr key={p} className="border-t border-slate-200">
                  <th scope="row" className="px-2 py-1 font-normal">
                    {PERMISSION_LABELS[p]}
                  </th>
                  {ROLES.map((r) => {
                    const g = q.data[p]![r];
                    return (
                      <td key={r} className="px-2 py-1">
                        {g === 'tenant' ? 'all' : g === 'own' ? 'own' : <span aria-label="not allowed">—</span>}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
