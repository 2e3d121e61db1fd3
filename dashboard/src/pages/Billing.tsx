// Billing: the month's charges (seats and tokens, with the plan's
// adjustments), who spent what, the month-end forecast with its interval,
// invoices (issue, view with line items, download, print) and a CSV export.
// Money is the API's exact decimal strings, formatted, never recomputed.
import { useState, type FormEvent } from 'react';
import { createPortal } from 'react-dom';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api, buildPath, type Schemas } from '../api/client';
import { LineChart, PALETTE, BarList } from '../components/charts';
import { Badge, Button, Card, Dialog, EmptyState, ErrorState, Page, Select, Skeleton, Stat, Table, TextInput, type Column } from '../components/ui';
import { saveBlob } from '../lib/download';
import { decimalToNumber, formatInt, formatMoney, formatTime } from '../lib/format';
import { Can, useCan } from '../lib/session';
import './Billing.print.css';

type Invoice = Schemas['InvoiceView'];
type UserRow = { user: Schemas['User']; billing?: Schemas['UserBilling']; error?: unknown; pending: boolean };

const usersQuery = { queryKey: ['users', 'list'], queryFn: () => api.get('/users', { query: { limit: 100 } }) } as const;

/** The current month in UTC, as YYYY-MM. */
export function thisMonth(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}

/** addMonths moves a YYYY-MM by n months. */
export function addMonths(m: string, n: number): string {
  const [y, mo] = m.split('-').map(Number);
  const d = new Date(Date.UTC(y, mo - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

function monthLabel(m: string): string {
  const [y, mo] = m.split('-').map(Number);
  return new Date(Date.UTC(y, mo - 1, 1)).toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

const monthShape = /^\d{4}-(0[1-9]|1[0-2])$/;

export default function BillingPage() {
  const [params, setParams] = useSearchParams();
  const current = thisMonth();
  const raw = params.get('month') ?? '';
  const month = monthShape.test(raw) && raw <= current ? raw : current;
  const setMonth = (m: string) => {
    const next = new URLSearchParams(params);
    next.set('month', m);
    setParams(next);
  };
  const summary = useQuery({ queryKey: ['billing', 'summary', month], queryFn: () => api.get('/billing/summary', { query: { month } }) });

  const from = `${month}-01`;
  const to = `${addMonths(month, 1)}-01`;
  const csv = (group: string) => buildPath('/billing/export/csv', undefined, { from, to, group_by: group });

  return (
    <Page
      title="Billing"
      description="What the month costs, seats and tokens with your plan’s prices, who spent it, where it is heading, and its invoices."
      actions={
        <div className="flex flex-wrap items-end gap-2">
          <Button aria-label="Previous month" onClick={() => setMonth(addMonths(month, -1))}>
            ‹
          </Button>
          <div className="w-40">
            <TextInput label="Month" type="month" value={month} max={current} onChange={(e) => monthShape.test(e.target.value) && setMonth(e.target.value)} />
          </div>
          <Button aria-label="Next month" disabled={month >= current} onClick={() => setMonth(addMonths(month, 1))}>
            ›
          </Button>
        </div>
      }
    >
      {summary.isPending ? (
        <div aria-busy="true" aria-label="Loading billing" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          {Array.from({ length: 4 }, (_, i) => (
            <Skeleton key={i} className="h-24 w-full" />
          ))}
          <Skeleton className="h-64 w-full sm:col-span-2 lg:col-span-4" />
        </div>
      ) : summary.error ? (
        <ErrorState what={`billing for ${monthLabel(month)}`} error={summary.error} retry={() => summary.refetch()} />
      ) : (
        <Summary s={summary.data} />
      )}

      <div className="mt-4 grid gap-4 lg:grid-cols-3">
        <Forecast month={month} />
        <Card title="Export usage (CSV)">
          <p className="mb-2 text-sm text-slate-700">{monthLabel(month)}, costs in US dollars, exact. Every export is audited.</p>
          <ul className="flex flex-wrap gap-2">
            {[
              ['request', 'Per request'],
              ['day', 'Per day'],
              ['user', 'Per user'],
              ['model', 'Per model'],
            ].map(([g, label]) => (
              <li key={g}>
                <a href={csv(g)} download className="inline-flex min-h-11 items-center rounded-md border border-slate-300 bg-white px-3 text-sm font-medium text-blue-800 hover:bg-slate-100">
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </Card>
      </div>

      <PerUser month={month} currency={summary.data?.currency ?? 'USD'} />
      <Invoices month={month} />
    </Page>
  );
}

function Change({ before, currency }: { before: Schemas['MonthTotals']; currency: string }) {
  return (
    <>
      {monthLabel(before.month)}: {formatMoney(before.total, currency)}
    </>
  );
}

function Summary({ s }: { s: Schemas['BillingSummary'] }) {
  const cur = s.currency;
  return (
    <>
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Total (before tax)" value={formatMoney(s.total, cur)} hint={<Change before={s.comparison.last_month} currency={cur} />} />
        <Stat label="Token charges" value={formatMoney(s.token_charges, cur)} hint={`${formatMoney(s.token_cost_usd, 'USD')} recorded cost`} />
        <Stat label="Seat fees" value={formatMoney(s.seat_fees, cur)} hint={`${formatInt(s.active_users)} active × ${formatMoney(s.seat_fee, cur)}`} />
        <Stat label="Requests" value={formatInt(s.requests)} hint={`Last year: ${formatInt(s.comparison.last_year.requests)}`} />
      </div>
      <div className="mt-4 grid gap-4 lg:grid-cols-2">
        <Card title="Charges by model">
          <BarList
            title="Charges by model"
            empty="No usage this month."
            bars={s.by_model.map((m) => ({ label: m.model ? `${m.model} (${m.provider})` : '(refused before a model was chosen)', value: decimalToNumber(m.charge), display: formatMoney(m.charge, cur) }))}
          />
        </Card>
        <Card title="Charges by provider">
          <BarList title="Charges by provider" empty="No usage this month." bars={s.by_provider.map((p) => ({ label: p.provider || '(refused before a provider was chosen)', value: decimalToNumber(p.charge), display: formatMoney(p.charge, cur) }))} />
        </Card>
      </div>
    </>
  );
}

/** intervalLabel names the interval's probability: "0.8" (or "80 %") reads as 80 %. */
export function intervalLabel(p: string): string {
  const n = Number(p.replace('%', '').trim());
  if (!Number.isFinite(n) || n <= 0) return p;
  return `${n <= 1 ? Math.round(n * 100) : n} %`;
}

function Forecast({ month }: { month: string }) {
  const f = useQuery({ queryKey: ['billing', 'forecast', month], queryFn: () => api.get('/billing/forecast', { query: { month } }) });
  return (
    <Card title="Month-end forecast (USD)" className="lg:col-span-2">
      {f.isPending ? (
        <Skeleton className="h-52 w-full" />
      ) : f.error ? (
        <ErrorState what="the forecast" error={f.error} retry={() => f.refetch()} />
      ) : (
        <>
          <p className="mb-2 text-sm">
            Spent so far <strong>{formatMoney(f.data.spend_to_date, 'USD')}</strong>; projected <strong>{formatMoney(f.data.projected_total, 'USD')}</strong>, {intervalLabel(f.data.interval)} interval between{' '}
            {formatMoney(f.data.lower, 'USD')} and {formatMoney(f.data.upper, 'USD')}.
          </p>
          <LineChart
            title={`Daily cost in ${monthLabel(month)}: actual, expected and its interval`}
            labels={f.data.daily.map((d) => d.date.slice(8, 10))}
            series={[
              { name: 'Actual', values: f.data.daily.map((d) => (d.actual === null ? NaN : decimalToNumber(d.actual))), color: PALETTE[0] },
              { name: 'Expected', values: f.data.daily.map((d) => (d.actual === null ? decimalToNumber(d.expected) : NaN)), color: PALETTE[1], dashed: true },
            ]}
            band={{ name: `${intervalLabel(f.data.interval)} interval`, low: f.data.daily.map((d) => (d.actual === null ? decimalToNumber(d.lower) : NaN)), high: f.data.daily.map((d) => (d.actual === null ? decimalToNumber(d.upper) : NaN)) }}
            format={(n) => '$' + (n < 1 ? n.toFixed(2) : n.toFixed(0))}
          />
          <p className="mt-2 text-xs text-slate-700">
            Method: {f.data.method}, fitted on {formatInt(f.data.history_days)} days{f.data.short_history ? ' (short history: a rough projection, its interval doubled)' : ''}.
            {f.data.backtest ? ` Back-tested error ${f.data.backtest.mape_percent.toFixed(1)} % over ${formatInt(f.data.backtest.origins)} forecasts.` : ''} {f.data.note}
          </p>
        </>
      )}
    </Card>
  );
}

function PerUser({ month, currency }: { month: string; currency: string }) {
  const users = useQuery(usersQuery);
  const list = users.data?.data ?? [];
  const bills = useQueries({
    queries: list.map((u) => ({ queryKey: ['billing', 'user', u.id, month], queryFn: () => api.get('/billing/user/{user_id}', { path: { user_id: u.id }, query: { month } }) })),
  });
  const [open, setOpen] = useState<Schemas['UserBilling'] | null>(null);
  const rows: UserRow[] = list.map((user, i) => ({ user, billing: bills[i]?.data, error: bills[i]?.error, pending: bills[i]?.isPending ?? true }));
  const cell = (r: UserRow, f: (b: Schemas['UserBilling']) => string) => (r.pending ? <Skeleton className="h-4 w-16" /> : r.error ? 'unavailable' : f(r.billing!));
  const columns: Column<UserRow>[] = [
    {
      key: 'user',
      header: 'User',
      cell: (r) => (
        <button type="button" className="min-h-11 text-left text-blue-800 underline" disabled={!r.billing} onClick={() => r.billing && setOpen(r.billing)}>
          {r.user.name || r.user.email}
          <span className="block text-xs text-slate-700 no-underline">{r.user.email}</span>
        </button>
      ),
    },
    { key: 'seat', header: 'Seat', cell: (r) => cell(r, (b) => (b.active ? 'billed' : 'not active')) },
    { key: 'requests', header: 'Requests', cell: (r) => cell(r, (b) => formatInt(b.requests)), className: 'tabular-nums' },
    { key: 'cost', header: 'Token cost (USD)', cell: (r) => cell(r, (b) => formatMoney(b.token_cost_usd, 'USD')), className: 'tabular-nums' },
    { key: 'charges', header: 'Token charges', cell: (r) => cell(r, (b) => formatMoney(b.token_charges, b.currency || currency)), className: 'tabular-nums' },
  ];
  return (
    <Card title="Per user" className="mt-4">
      <p className="mb-3 text-sm text-slate-700">Usage through a user’s own keys. Requests made with tenant-wide keys count in the totals above, not here.</p>
      {users.isPending ? (
        <Skeleton className="h-40 w-full" />
      ) : users.error ? (
        <ErrorState what="the users" error={users.error} retry={() => users.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState title="No users yet" />
      ) : (
        <Table caption={`Spend per user in ${monthLabel(month)}`} columns={columns} rows={rows} rowKey={(r) => r.user.id} />
      )}
      {open && (
        <Dialog title={`${open.user.name || open.user.email}, ${monthLabel(open.month)}`} onClose={() => setOpen(null)} footer={<Button onClick={() => setOpen(null)}>Close</Button>}>
          <p className="text-sm">
            {formatInt(open.requests)} requests, {formatMoney(open.token_cost_usd, 'USD')} recorded, {formatMoney(open.token_charges, open.currency)} charged.
            {open.active ? ' Billed a seat this month.' : ' Not billed a seat this month.'}
          </p>
          {open.by_model.length === 0 ? (
            <p className="text-sm text-slate-700">No usage this month.</p>
          ) : (
            <Table
              caption="By model"
              rowKey={(m) => m.provider + '/' + m.model}
              rows={open.by_model}
              columns={[
                { key: 'model', header: 'Model', cell: (m) => `${m.model} (${m.provider})` },
                { key: 'req', header: 'Requests', cell: (m) => formatInt(m.requests) },
                { key: 'tok', header: 'Tokens in / out', cell: (m) => `${formatInt(m.prompt_tokens)} / ${formatInt(m.completion_tokens)}` },
                { key: 'charge', header: 'Charge', cell: (m) => formatMoney(m.charge, open.currency) },
              ]}
            />
          )}
        </Dialog>
      )}
    </Card>
  );
}

/** useWho names an invoice's subject: a user's e-mail (or id), or the whole tenant. */
function useWho(): (userID: string | null) => string {
  const users = useQuery(usersQuery);
  return (id) => (id ? (users.data?.data.find((u) => u.id === id)?.email ?? id) : 'the whole tenant');
}

function Invoices({ month }: { month: string }) {
  const who = useWho();
  const [all, setAll] = useState(false);
  const list = useQuery({ queryKey: ['billing', 'invoices', all ? '' : month], queryFn: () => api.get('/billing/invoices', { query: { limit: 50, month: all ? undefined : month } }) });
  const [open, setOpen] = useState<Invoice | null>(null);
  const [issuing, setIssuing] = useState(false);
  const canIssue = useCan('billing.invoice');
  const columns: Column<Invoice>[] = [
    {
      key: 'number',
      header: 'Number',
      cell: (i) => (
        <button type="button" className="min-h-11 font-mono text-blue-800 underline" onClick={() => setOpen(i)}>
          {i.number}
        </button>
      ),
    },
    { key: 'kind', header: 'Kind', cell: (i) => (i.kind === 'credit_note' ? <Badge tone="amber">credit note</Badge> : i.credited_by ? <Badge tone="slate">credited</Badge> : <Badge tone="blue">invoice</Badge>) },
    { key: 'month', header: 'Month', cell: (i) => monthLabel(i.period.month) },
    { key: 'for', header: 'For', cell: (i) => who(i.user_id) },
    { key: 'issued', header: 'Issued', cell: (i) => formatTime(i.issued_at, { withZone: false }) },
    { key: 'total', header: 'Total', cell: (i) => formatMoney(i.total, i.currency), className: 'tabular-nums text-right' },
  ];
  return (
    <Card
      title="Invoices"
      className="mt-4"
      actions={
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => setAll(!all)} aria-pressed={all}>
            {all ? `Only ${monthLabel(month)}` : 'All months'}
          </Button>
          <Can perm="billing.invoice">
            <Button variant="primary" onClick={() => setIssuing(true)}>
              Issue invoice
            </Button>
          </Can>
        </div>
      }
    >
      {list.isPending ? (
        <Skeleton className="h-32 w-full" />
      ) : list.error ? (
        <ErrorState what="the invoices" error={list.error} retry={() => list.refetch()} />
      ) : list.data.data.length === 0 ? (
        <EmptyState title={all ? 'No invoices yet' : `No invoices for ${monthLabel(month)}`}>{canIssue ? 'Issue one once the month is over.' : 'An admin or manager issues them once the month is over.'}</EmptyState>
      ) : (
        <Table caption="Invoices" columns={columns} rows={list.data.data} rowKey={(i) => i.id} />
      )}
      {open && <InvoiceDialog invoice={open} onClose={() => setOpen(null)} />}
      {issuing && (
        <IssueDialog
          month={month < thisMonth() ? month : addMonths(thisMonth(), -1)}
          onClose={() => setIssuing(false)}
          onIssued={(i) => {
            setIssuing(false);
            setOpen(i);
          }}
        />
      )}
    </Card>
  );
}

function IssueDialog({ month, onClose, onIssued }: { month: string; onClose: () => void; onIssued: (i: Invoice) => void }) {
  const qc = useQueryClient();
  const [m, setM] = useState(month);
  const [user, setUser] = useState('');
  const users = useQuery(usersQuery);
  const issue = useMutation({
    mutationFn: () => api.post('/billing/invoice', { body: { month: m, user_id: user || undefined } }),
    onSuccess: (inv) => {
      qc.invalidateQueries({ queryKey: ['billing', 'invoices'] });
      onIssued(inv);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    issue.mutate();
  };
  return (
    <Dialog title="Issue an invoice" onClose={onClose}>
      <form onSubmit={submit} className="space-y-3">
        <TextInput label="Month" type="month" required value={m} max={addMonths(thisMonth(), -1)} onChange={(e) => setM(e.target.value)} hint="A month that is over (UTC). Issuing twice returns the same invoice." />
        <Select label="Bill" value={user} onChange={(e) => setUser(e.target.value)}>
          <option value="">The whole tenant</option>
          {(users.data?.data ?? []).map((u) => (
            <option key={u.id} value={u.id}>
              {u.name ? `${u.name} (${u.email})` : u.email}
            </option>
          ))}
        </Select>
        {issue.error && (
          <p role="alert" className="text-sm text-red-800">
            Could not issue the invoice: {issue.error.message}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={issue.isPending || !monthShape.test(m)}>
            {issue.isPending ? 'Issuing…' : 'Issue'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** invoiceCSV writes an invoice's lines as CSV, amounts as the API's exact strings. */
export function invoiceCSV(i: Invoice): string {
  const q = (v: string | number | undefined | null) => {
    const s = v === undefined || v === null ? '' : String(v);
    const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? "'" + s : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [['number', 'kind', 'description', 'provider', 'model', 'quantity', 'unit', 'unit_price', 'amount', 'currency'].join(',')];
  for (const l of i.line_items) lines.push([i.number, l.kind, l.description, l.provider, l.model, l.quantity, l.unit, l.unit_price, l.amount, i.currency].map(q).join(','));
  lines.push([i.number, 'subtotal', '', '', '', '', '', '', i.subtotal, i.currency].map(q).join(','));
  lines.push([i.number, 'tax', '', '', '', '', '', '', i.tax, i.currency].map(q).join(','));
  lines.push([i.number, 'total', '', '', '', '', '', '', i.total, i.currency].map(q).join(','));
  return lines.join('\r\n') + '\r\n';
}

function InvoiceBody({ i }: { i: Invoice }) {
  const who = useWho();
  return (
    <div className="space-y-3 text-sm">
      <p>
        {i.kind === 'credit_note' ? 'Credit note' : 'Invoice'} <strong className="font-mono">{i.number}</strong> for {monthLabel(i.period.month)} ({i.period.start} to {i.period.end}), {who(i.user_id)}; issued {formatTime(i.issued_at)}.
        {i.credited_by && ' Cancelled by a credit note.'}
        {i.reason && ` Reason: ${i.reason}.`}
      </p>
      {i.line_items.length === 0 ? (
        <p className="rounded-md border border-dashed border-slate-300 p-3 text-slate-700">No line items: no seat and no usage to bill in this period.</p>
      ) : (
        <Table
          caption={`Line items of ${i.number}`}
          rowKey={(l) => `${l.kind}/${l.provider ?? ''}/${l.model ?? ''}/${l.description}`}
          rows={i.line_items}
          columns={[
            { key: 'd', header: 'Item', cell: (l) => l.description },
            { key: 'q', header: 'Quantity', cell: (l) => `${l.quantity} ${l.unit}`, className: 'tabular-nums' },
            { key: 'p', header: 'Unit price', cell: (l) => l.unit_price, className: 'tabular-nums' },
            { key: 'a', header: 'Amount', cell: (l) => formatMoney(l.amount, i.currency), className: 'tabular-nums text-right' },
          ]}
        />
      )}
      <dl className="ml-auto grid max-w-xs grid-cols-2 gap-1 tabular-nums">
        <dt>Subtotal</dt>
        <dd className="text-right">{formatMoney(i.subtotal, i.currency)}</dd>
        <dt>Tax</dt>
        <dd className="text-right">{formatMoney(i.tax, i.currency)}</dd>
        <dt className="font-semibold">Total</dt>
        <dd className="text-right font-semibold">{formatMoney(i.total, i.currency)}</dd>
      </dl>
      <p className="text-xs text-slate-700">
        {formatInt(i.active_users)} seats; token cost covered {formatMoney(i.token_cost_usd, 'USD')}; rounding {i.rounding_residue}.
      </p>
    </div>
  );
}

function InvoiceDialog({ invoice, onClose }: { invoice: Invoice; onClose: () => void }) {
  // The list carries the line items; the detail is read again so a view is never stale.
  const full = useQuery({ queryKey: ['billing', 'invoice', invoice.id], queryFn: () => api.get('/billing/invoices/{invoice_id}', { path: { invoice_id: invoice.id } }), initialData: invoice });
  const i = full.data;
  const [printing, setPrinting] = useState(false);
  const print = () => {
    setPrinting(true);
    document.body.classList.add('printing-invoice');
    const done = () => {
      document.body.classList.remove('printing-invoice');
      setPrinting(false);
      window.removeEventListener('afterprint', done);
    };
    window.addEventListener('afterprint', done);
    // Let the printable copy render before the print dialog opens.
    setTimeout(() => {
      window.print();
    }, 0);
  };
  return (
    <Dialog
      title={`${i.kind === 'credit_note' ? 'Credit note' : 'Invoice'} ${i.number}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={() => saveBlob(new Blob([invoiceCSV(i)], { type: 'text/csv' }), `${i.number}.csv`)}>Download CSV</Button>
          <Button onClick={print}>Print</Button>
          <Button variant="primary" onClick={onClose}>
            Close
          </Button>
        </>
      }
    >
      <InvoiceBody i={i} />
      {printing &&
        createPortal(
          <div className="invoice-print p-8">
            <h1 className="mb-4 text-xl font-semibold">{`${i.kind === 'credit_note' ? 'Credit note' : 'Invoice'} ${i.number}`}</h1>
            <InvoiceBody i={i} />
          </div>,
          document.body,
        )}
    </Dialog>
  );
}
