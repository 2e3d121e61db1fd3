import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, type Schemas } from '../api/client';
import { PeriodPicker } from '../components/PeriodPicker';
import { Badge, Button, Dialog, EmptyState, ErrorState, Page, Skeleton, Table, type Column } from '../components/ui';
import { formatInt, formatMoney, formatMs, formatTime } from '../lib/format';
import { usePeriod } from '../lib/period';
import { useKeyNames, useUserNames } from '../lib/queries';

type Row = Schemas['UsageRequest'];
const FILTERS = [
  { key: 'model', label: 'Model' },
  { key: 'provider', label: 'Provider' },
  { key: 'user_id', label: 'User' },
  { key: 'key_id', label: 'API key' },
  { key: 'outcome', label: 'Outcome' },
] as const;
const PAGE = 50;

export default function Requests() {
  const [period] = usePeriod();
  const [params, setParams] = useSearchParams();
  const users = useUserNames();
  const keys = useKeyNames();
  const [open, setOpen] = useState<Row | null>(null);
  const offset = Math.max(0, Number(params.get('offset') ?? 0) || 0);
  const filter = Object.fromEntries(FILTERS.map((f) => [f.key, params.get(f.key) ?? undefined]));
  const q = useQuery({
    queryKey: ['usage', 'requests', period.from, period.to, filter, offset],
    queryFn: () => api.get('/usage/requests', { query: { from: period.from, to: period.to, limit: PAGE, offset, ...filter } as never }),
    placeholderData: keepPreviousData,
  });
  const setParam = (k: string, v: string | null) => {
    const next = new URLSearchParams(params);
    if (v === null) next.delete(k);
    else next.set(k, v);
    if (k !== 'offset') next.delete('offset');
    setParams(next);
  };
  const name = (k: string, v: string) => (k === 'user_id' ? users.get(v) ?? v : k === 'key_id' ? keys.get(v) ?? v : v);
  const columns: Column<Row>[] = [
    { key: 'time', header: 'Time', cell: (r) => formatTime(r.created_at, { withZone: false }) },
    { key: 'model', header: 'Model', cell: (r) => r.model || r.requested_model || '—' },
    { key: 'user', header: 'User', cell: (r) => (r.user_id ? users.get(r.user_id) ?? r.user_id.slice(0, 8) : 'tenant-wide') },
    { key: 'status', header: 'Status', cell: (r) => <StatusBadge r={r} /> },
    { key: 'tokens', header: 'Tokens', cell: (r) => formatInt(r.prompt_tokens + r.completion_tokens), className: 'text-right tabular-nums' },
    { key: 'cost', header: 'Cost', cell: (r) => formatMoney(r.cost_usd), className: 'text-right tabular-nums' },
    { key: 'latency', header: 'Latency', cell: (r) => formatMs(r.latency_ms), className: 'text-right tabular-nums' },
    { key: 'open', header: 'Detail', cell: (r) => <Button variant="ghost" aria-label={`Open request ${r.request_id}`} onClick={() => setOpen(r)}>Open</Button> },
  ];
  const active = FILTERS.filter((f) => params.get(f.key));
  return (
    <Page title="Requests" description="Each metered request of the period, newest first: the rows behind the overview's figures." actions={<PeriodPicker />}>
      <div className="mb-3 flex flex-wrap items-center gap-2 text-sm">
        <Link to={'/overview?' + new URLSearchParams({ period: period.id }).toString()} className="inline-flex min-h-11 items-center underline">
          ← Overview
        </Link>
        {active.map((f) => (
          <span key={f.key} className="inline-flex items-center gap-1 rounded-full bg-blue-50 pl-3 text-blue-900">
            {f.label}: {name(f.key, params.get(f.key)!)}
            <button type="button" className="min-h-11 min-w-11 rounded-full" aria-label={`Remove the ${f.label.toLowerCase()} filter`} onClick={() => setParam(f.key, null)}>
              ×
            </button>
          </span>
        ))}
        <label className="ml-auto flex items-center gap-2">
          Outcome
          <select className="min-h-11 rounded-md border border-slate-400 bg-white px-2" value={params.get('outcome') ?? ''} onChange={(e) => setParam('outcome', e.target.value || null)}>
            <option value="">all</option>
            <option value="ok">succeeded</option>
            <option value="error">errors</option>
            <option value="blocked">blocked by a guardrail</option>
          </select>
        </label>
      </div>
      {q.isPending ? (
        <div className="space-y-2" aria-busy="true" aria-label="Loading requests">
          {Array.from({ length: 8 }, (_, i) => (
            <Skeleton key={i} className="h-10" />
          ))}
        </div>
      ) : q.error ? (
        <ErrorState what="requests" error={q.error} retry={() => q.refetch()} />
      ) : q.data.data.length === 0 ? (
        <EmptyState title="No requests match.">Remove a filter or pick a longer period.</EmptyState>
      ) : (
        <>
          <Table caption="Requests" columns={columns} rows={q.data.data} rowKey={(r) => r.request_id + r.created_at} />
          <nav aria-label="Pages" className="mt-3 flex items-center justify-between gap-2 text-sm">
            <span>
              {formatInt(offset + 1)}–{formatInt(offset + q.data.data.length)} of {formatInt(q.data.total)}
            </span>
            <span className="flex gap-2">
              <Button disabled={offset === 0} onClick={() => setParam('offset', String(Math.max(0, offset - PAGE)))}>
                Previous
              </Button>
              <Button disabled={offset + PAGE >= q.data.total} onClick={() => setParam('offset', String(offset + PAGE))}>
                Next
              </Button>
            </span>
          </nav>
        </>
      )}
      {open && <RequestDetail r={open} user={open.user_id ? users.get(open.user_id) : undefined} keyName={open.key_id ? keys.get(open.key_id) : undefined} onClose={() => setOpen(null)} />}
    </Page>
  );
}

function StatusBadge({ r }: { r: Row }) {
  if (r.guardrail_action === 'block') return <Badge tone="amber">blocked</Badge>;
  if (r.status >= 400) return <Badge tone="red">{r.status} {r.error_code}</Badge>;
  return <Badge tone="green">{r.status}</Badge>;
}

function RequestDetail({ r, user, keyName, onClose }: { r: Row; user?: string; keyName?: string; onClose: () => void }) {
  const rows: [string, React.ReactNode][] = [
    ['Request id', <code key="id">{r.request_id}</code>],
    ['Time', formatTime(r.created_at)],
    ['Endpoint', r.endpoint],
    ['Model asked', r.requested_model || '—'],
    ['Model', r.model || '—'],
    ['Provider', r.provider || '—'],
    ['User', user ?? r.user_id ?? 'tenant-wide key'],
    ['API key', keyName ?? r.key_id ?? '—'],
    ['Status', <StatusBadge key="s" r={r} />],
    ['Guardrail', r.guardrail_action || 'none'],
    ['Tokens in / out / cached', `${formatInt(r.prompt_tokens)} / ${formatInt(r.completion_tokens)} / ${formatInt(r.cached_tokens)}`],
    ['Cost', formatMoney(r.cost_usd)],
    ['Latency', formatMs(r.latency_ms)],
    ['First byte', formatMs(r.ttft_ms)],
    ['Streamed', r.stream ? 'yes' : 'no'],
    ['Provider attempts', formatInt(r.attempts)],
  ];
  return (
    <Dialog title="Request" onClose={onClose} footer={<Button onClick={onClose}>Close</Button>}>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="font-medium text-slate-700">{k}</dt>
            <dd className="break-all">{v}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
