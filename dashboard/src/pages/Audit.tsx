// Audit logs: who did what, when, from where. A filterable, paginated table
// (filters and page in the URL), an event's detail (sanitized), the security
// events, the hash chain's verification and an export.
import { useState, type FormEvent } from 'react';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api, buildPath, type Schemas } from '../api/client';
import { PeriodPicker } from '../components/PeriodPicker';
import { Badge, Button, Card, Dialog, EmptyState, ErrorState, Page, Select, Skeleton, Table, TextInput, cx, type Column } from '../components/ui';
import { download } from '../lib/download';
import { formatInt, formatTime, zoneName } from '../lib/format';
import { usePeriod } from '../lib/period';
import { Can } from '../lib/session';

type Event = Schemas['AuditEvent'];
const PAGE_SIZE = 25;

/** Actions worth offering in the filter's suggestions (any action or prefix.* may be typed). */
export const KNOWN_ACTIONS = [
  'auth.login', 'auth.logout', 'sso.login', 'api_key.create', 'api_key.revoke', 'user.create', 'user.update', 'user.delete',
  'guardrails.policy.update', 'guardrails.test', 'guardrail.triggered', 'billing.invoice_issue', 'billing.plan_update', 'billing.export',
  'sso.config_create', 'sso.config_update', 'audit.export', 'api.request', 'security.*',
];

const SECRET_KEY = /(secret|password|passwd|token|authorization|cookie|api_?key$|private)/i;

/** sanitize masks values under secret-looking names: the server stores events
 *  sanitized already, this keeps the panel safe should one slip through. */
export function sanitize(v: unknown, depth = 0): unknown {
  if (depth > 8) return '…';
  if (Array.isArray(v)) return v.map((x) => sanitize(x, depth + 1));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = SECRET_KEY.test(k) && x !== null && typeof x !== 'object' && typeof x !== 'boolean' ? '[redacted]' : sanitize(x, depth + 1);
    return out;
  }
  return v;
}

const OUTCOME_TONE = { success: 'green', failure: 'amber', denied: 'red' } as const;
const SEVERITY_TONE = { info: 'slate', warning: 'amber', critical: 'red' } as const;

export default function AuditPage() {
  const [params, setParams] = useSearchParams();
  const [period] = usePeriod();
  const tab = params.get('tab') === 'security' ? 'security' : 'all';
  const filters = { action: params.get('action') ?? '', actor: params.get('actor') ?? '', resource: params.get('resource') ?? '', outcome: params.get('outcome') ?? '' };
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const [open, setOpen] = useState<Event | null>(null);

  const update = (p: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(p)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
  };

  const query = {
    limit: PAGE_SIZE,
    offset,
    from: period.from,
    to: period.to,
    action: filters.action || undefined,
    actor: filters.actor || undefined,
    resource: filters.resource || undefined,
    outcome: (filters.outcome || undefined) as 'success' | 'failure' | 'denied' | undefined,
  };
  const logs = useQuery({
    queryKey: ['audit', tab, query],
    queryFn: () => (tab === 'security' ? api.get('/audit/security-events', { query }) : api.get('/audit/logs', { query })),
    placeholderData: keepPreviousData,
  });

  const columns: Column<Event>[] = [
    { key: 'when', header: 'When', cell: (e) => formatTime(e.occurred_at, { withZone: false }), className: 'whitespace-nowrap' },
    {
      key: 'action',
      header: 'Action',
      cell: (e) => (
        <button type="button" className="min-h-11 text-left font-mono text-blue-800 underline" onClick={() => setOpen(e)} aria-label={`Details of ${e.action} at ${formatTime(e.occurred_at)}`}>
          {e.action}
        </button>
      ),
    },
    { key: 'actor', header: 'Actor', cell: (e) => <span className="break-all">{e.actor_type}{e.actor_id ? `: ${e.actor_id}` : ''}</span> },
    { key: 'resource', header: 'Resource', cell: (e) => (e.resource_type ? <span className="break-all">{e.resource_type}{e.resource_id ? `: ${e.resource_id}` : ''}</span> : '—') },
    { key: 'outcome', header: 'Outcome', cell: (e) => <Badge tone={OUTCOME_TONE[e.outcome]}>{e.outcome}</Badge> },
    { key: 'severity', header: 'Severity', cell: (e) => <Badge tone={SEVERITY_TONE[e.severity]}>{e.severity}</Badge> },
    { key: 'ip', header: 'Client IP', cell: (e) => e.client_ip || '—' },
  ];

  const total = logs.data?.total ?? 0;
  const rows = logs.data?.data ?? [];
  return (
    <Page
      title="Audit logs"
      description={`Every sign-in, change and refusal in your tenant, in a tamper-evident chain. Times in ${zoneName()}.`}
      actions={<PeriodPicker />}
    >
      {/* On a phone the events come first; the chain and the export follow them. */}
      <div className="flex flex-col">
        <div className="mb-4 grid gap-4 max-lg:order-last max-lg:mt-4 lg:grid-cols-3">
          <ChainStatus />
          <Can perm="audit.export" need="tenant">
            <ExportCard from={period.from} to={period.to} />
          </Can>
        </div>

        <div role="tablist" aria-label="Which events" className="mb-3 flex gap-1">
          {(['all', 'security'] as const).map((t) => (
            <button
              key={t}
              role="tab"
              aria-selected={tab === t}
              type="button"
              onClick={() => update({ tab: t === 'security' ? 'security' : '', offset: '' })}
              className={cx('min-h-11 rounded-md px-4 text-sm font-medium', tab === t ? 'bg-blue-700 text-white' : 'bg-white text-slate-800 border border-slate-300 hover:bg-slate-100')}
            >
              {t === 'all' ? 'All events' : 'Security events'}
            </button>
          ))}
        </div>

        <Filters key={params.toString()} initial={filters} onApply={(f) => update({ ...f, offset: '' })} />

        {logs.isPending ? (
          <div aria-busy="true" aria-label="Loading events" className="space-y-2">
            {Array.from({ length: 8 }, (_, i) => (
              <Skeleton key={i} className="h-11 w-full" />
            ))}
          </div>
        ) : logs.error ? (
          <ErrorState what="the audit log" error={logs.error} retry={() => logs.refetch()} />
        ) : rows.length === 0 ? (
          <EmptyState title={tab === 'security' ? 'No security events in this period' : 'No events match'}>
            {Object.values(filters).some(Boolean) ? 'Clear the filters or choose a longer period.' : 'Choose a longer period to see older events.'}
          </EmptyState>
        ) : (
          <>
            <Table caption={tab === "security" ? "Security events" : "Audit events"} columns={columns} rows={rows} rowKey={(e) => String(e.id)} onRow={setOpen} />
            <nav aria-label="Pages" className="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm">
              <span>
                {formatInt(offset + 1)}–{formatInt(offset + rows.length)} of {formatInt(total)}
              </span>
              <span className="flex gap-2">
                <Button disabled={offset === 0} onClick={() => update({ offset: String(Math.max(0, offset - PAGE_SIZE)) })}>
                  Previous
                </Button>
                <Button disabled={offset + rows.length >= total} onClick={() => update({ offset: String(offset + PAGE_SIZE) })}>
                  Next
                </Button>
              </span>
            </nav>
          </>
        )}
      </div>
      {open && <EventDetail event={open} onClose={() => setOpen(null)} />}
    </Page>
  );
}

function Filters({ initial, onApply }: { initial: Record<'action' | 'actor' | 'resource' | 'outcome', string>; onApply: (f: Record<string, string>) => void }) {
  const [f, setF] = useState(initial);
  const active = Object.values(initial).filter(Boolean).length;
  // On a phone the filters fold away behind a button (open when some are set).
  const [shown, setShown] = useState(active > 0);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(f);
  };
  return (
    <>
      <Button className="mb-3 sm:hidden" aria-expanded={shown} aria-controls="audit-filters" onClick={() => setShown(!shown)}>
        {shown ? 'Hide filters' : `Filters${active ? ` (${active})` : ''}`}
      </Button>
      <form id="audit-filters" onSubmit={submit} aria-label="Filter events" className={cx('mb-4 grid gap-3 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-2 lg:grid-cols-5 lg:items-end', !shown && 'max-sm:hidden')}>
        <TextInput label="Action" list="audit-actions" placeholder="auth.login or security.*" value={f.action} onChange={(e) => setF({ ...f, action: e.target.value })} />
        <datalist id="audit-actions">
          {KNOWN_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <TextInput label="Actor id" value={f.actor} onChange={(e) => setF({ ...f, actor: e.target.value })} />
        <TextInput label="Resource" placeholder="user or user:id" value={f.resource} onChange={(e) => setF({ ...f, resource: e.target.value })} />
        <Select label="Outcome" value={f.outcome} onChange={(e) => setF({ ...f, outcome: e.target.value })}>
          <option value="">Any</option>
          <option value="success">success</option>
          <option value="failure">failure</option>
          <option value="denied">denied</option>
        </Select>
        <div className="flex gap-2">
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
          <Button onClick={() => onApply({ action: '', actor: '', resource: '', outcome: '' })}>Clear</Button>
        </div>
      </form>
    </>
  );
}

function ChainStatus() {
  const v = useQuery({ queryKey: ['audit', 'verify'], queryFn: () => api.get('/audit/verify'), staleTime: 60_000 });
  return (
    <Card title="Chain verification" className="lg:col-span-2">
      {v.isPending ? (
        <Skeleton className="h-10 w-full" />
      ) : v.error ? (
        <ErrorState what="the chain verification" error={v.error} retry={() => v.refetch()} />
      ) : v.data.ok ? (
        <p className="text-sm" role="status">
          <Badge tone="green">Verified</Badge> All {formatInt(v.data.rows)} events chain to one another: none was changed or removed.
        </p>
      ) : (
        <div role="alert" className="text-sm">
          <Badge tone="red">Broken</Badge> The chain breaks at event #{v.data.first_break?.seq} (id {v.data.first_break?.id}): {v.data.first_break?.reason}. {formatInt(v.data.rows)} events checked.
        </div>
      )}
      {!v.isPending && (
        <Button className="mt-2" onClick={() => v.refetch()} disabled={v.isFetching}>
          {v.isFetching ? 'Verifying…' : 'Verify again'}
        </Button>
      )}
    </Card>
  );
}

function ExportCard({ from, to }: { from: string; to: string }) {
  const [format, setFormat] = useState<'csv' | 'jsonl'>('csv');
  const exp = useMutation({ mutationFn: () => download('POST', buildPath('/audit/export'), { format, from, to }, `aigw-audit.${format}`) });
  return (
    <Card title="Export">
      <p className="mb-2 text-sm text-slate-700">The period’s events, for your records or SIEM. The export is itself audited.</p>
      <div className="flex flex-wrap items-end gap-2">
        <div className="w-36">
          <Select label="Format" value={format} onChange={(e) => setFormat(e.target.value as 'csv' | 'jsonl')}>
            <option value="csv">CSV</option>
            <option value="jsonl">JSON lines</option>
          </Select>
        </div>
        <Button variant="primary" onClick={() => exp.mutate()} disabled={exp.isPending}>
          {exp.isPending ? 'Exporting…' : 'Export'}
        </Button>
      </div>
      <p role="status" className="mt-2 text-sm">
        {exp.data ? `Saved ${exp.data}.` : ''}
      </p>
      {exp.error && (
        <p role="alert" className="text-sm text-red-800">
          The export failed: {exp.error.message}
        </p>
      )}
    </Card>
  );
}

function EventDetail({ event, onClose }: { event: Event; onClose: () => void }) {
  const rows: [string, string][] = [
    ['When', formatTime(event.occurred_at)],
    ['Action', event.action],
    ['Outcome', event.outcome],
    ['Severity', event.severity],
    ['Actor', `${event.actor_type}${event.actor_id ? ': ' + event.actor_id : ''}`],
    ['Resource', event.resource_type ? `${event.resource_type}${event.resource_id ? ': ' + event.resource_id : ''}` : '—'],
    ['Client IP (masked)', event.client_ip || '—'],
    ['Request id', event.request_id || '—'],
    ['Chain position', `#${event.seq}`],
  ];
  return (
    <Dialog title={`Event ${event.action}`} onClose={onClose} footer={<Button onClick={onClose}>Close</Button>}>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="font-medium text-slate-700">{k}</dt>
            <dd className="break-all">{v}</dd>
          </div>
        ))}
      </dl>
      <div>
        <h3 className="mb-1 text-sm font-medium">Details</h3>
        <pre data-testid="event-details" className="max-h-72 overflow-auto rounded-md bg-slate-100 p-3 text-xs">
          {JSON.stringify(sanitize(event.details), null, 2) ?? 'null'}
        </pre>
      </div>
    </Dialog>
  );
}
