import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, type Schemas } from '../api/client';
import { BarList, LineChart } from '../components/charts';
import { PeriodPicker } from '../components/PeriodPicker';
import { Card, EmptyState, ErrorState, Page, Skeleton, Stat } from '../components/ui';
import { decimalToNumber, formatBucket, formatInt, formatMoney, formatMs, formatPercent } from '../lib/format';
import { requestsLink } from '../lib/links';
import { usePeriod } from '../lib/period';
import { useKeyNames, useUserNames } from '../lib/queries';
import { Can } from '../lib/session';

type Group = Schemas['UsageGroup'];

const LinkTo = ({ to, className, children }: { to: string; className?: string; children: React.ReactNode }) => (
  <Link to={to} className={className}>
    {children}
  </Link>
);

export default function Overview() {
  const [period] = usePeriod();
  const q = useQuery({
    queryKey: ['usage', 'dashboard', period.from, period.to, period.granularity],
    queryFn: () => api.get('/usage/dashboard', { query: { from: period.from, to: period.to, granularity: period.granularity } }),
  });
  const users = useUserNames();
  const keys = useKeyNames();
  return (
    <Page title="Overview" description="Requests, tokens, cost, errors and guardrail blocks over the period; every figure opens the requests behind it." actions={<PeriodPicker />}>
      {q.isPending ? (
        <OverviewSkeleton />
      ) : q.error ? (
        <ErrorState what="usage" error={q.error} retry={() => q.refetch()} />
      ) : q.data.totals.requests === 0 ? (
        <EmptyState title={`No requests in this period (${period.label.toLowerCase()}).`} action={<Link className="underline" to="/playground">Send one from the playground</Link>}>
          Call the gateway with an API key, or pick a longer period.
        </EmptyState>
      ) : (
        <Figures d={q.data} users={users} keys={keys} />
      )}
    </Page>
  );
}

function Figures({ d, users, keys }: { d: Schemas['UsageDashboard']; users: Map<string, string>; keys: Map<string, string> }) {
  const [period] = usePeriod();
  const t = d.totals;
  const series = fillSeries(d.series, d.from, d.to, d.granularity);
  const labels = series.map((s) => formatBucket(s.key, d.granularity));
  const byCost = (gs: Group[], name: (k: string) => string, filter: string) =>
    gs.map((g) => ({ label: name(g.key), value: decimalToNumber(g.cost_usd) || g.requests * 1e-12, display: `${formatMoney(g.cost_usd)} · ${formatInt(g.requests)} req`, href: requestsLink(period, { [filter]: g.key }) }));
  return (
    <div className="space-y-4">
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-6">
        <Stat label="Requests" value={formatInt(t.requests)} href={requestsLink(period)} />
        <Stat label="Tokens" value={formatInt(t.prompt_tokens + t.completion_tokens)} hint={`${formatInt(t.prompt_tokens)} in · ${formatInt(t.completion_tokens)} out`} href={requestsLink(period)} />
        <Stat label="Cost" value={formatMoney(t.cost_usd)} href={requestsLink(period)} />
        <Stat label="Error rate" value={formatPercent(t.errors, t.requests)} hint={`${formatInt(t.errors)} errors`} href={requestsLink(period, { outcome: 'error' })} />
        <Stat label="Guardrail blocks" value={formatInt(t.guardrail_blocks)} href={requestsLink(period, { outcome: 'blocked' })} />
        <Stat label="Latency p50 / p95" value={`${formatMs(d.p50_latency_ms)}`} hint={`p95 ${formatMs(d.p95_latency_ms)}`} href={requestsLink(period)} />
      </div>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Requests over time">
          <LineChart
            title="Requests, errors and guardrail blocks per bucket"
            labels={labels}
            series={[
              { name: 'Requests', values: series.map((s) => s.requests) },
              { name: 'Errors', values: series.map((s) => s.errors), dashed: true },
              { name: 'Guardrail blocks', values: series.map((s) => s.guardrail_blocks), dashed: true },
            ]}
          />
        </Card>
        <Card title="Cost over time">
          <LineChart title="Cost per bucket, US dollars" labels={labels} format={(n) => '$' + (n < 1 ? n.toPrecision(2) : n.toFixed(2))} series={[{ name: 'Cost (USD)', values: series.map((s) => decimalToNumber(s.cost_usd)) }]} />
        </Card>
      </div>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="By model">
          <BarList title="Cost by model" bars={byCost(d.by_model, (k) => k || '(no model)', 'model')} LinkComponent={LinkTo} />
        </Card>
        <Card title="By provider">
          <BarList title="Cost by provider" bars={byCost(d.by_provider, (k) => k || '(no provider)', 'provider')} LinkComponent={LinkTo} />
        </Card>
        <Card title="By user">
          <BarList title="Cost by user" bars={byCost(d.by_user, (k) => (k ? users.get(k) ?? k : 'tenant-wide keys'), 'user_id')} LinkComponent={LinkTo} />
          <Can perm="users.read" need="tenant">
            <p className="mt-2 text-xs text-slate-700">Top 100 users by cost.</p>
          </Can>
        </Card>
        <Card title="By API key">
          <BarList title="Cost by API key" bars={byCost(d.by_key, (k) => (k ? keys.get(k) ?? k : '(no key)'), 'key_id')} LinkComponent={LinkTo} />
        </Card>
      </div>
    </div>
  );
}

const EMPTY: Omit<Group, 'key'> = { requests: 0, prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, cost_usd: '0', errors: 0, guardrail_blocks: 0 };

/** fillSeries adds the empty buckets (UTC hours or days) the API leaves out, so that time reads evenly. */
export function fillSeries(series: Group[], from: string, to: string, granularity: 'hour' | 'day'): Group[] {
  const step = granularity === 'hour' ? 3600_000 : 86400_000;
  const have = new Map(series.map((s) => [new Date(s.key).getTime(), s]));
  const start = Math.floor(new Date(from).getTime() / step) * step;
  const end = new Date(to).getTime();
  if (!Number.isFinite(start) || !Number.isFinite(end) || (end - start) / step > 1000) return series;
  const out: Group[] = [];
  for (let t = start; t < end; t += step) out.push(have.get(t) ?? { key: new Date(t).toISOString(), ...EMPTY });
  return out;
}

function OverviewSkeleton() {
  return (
    <div className="space-y-4" aria-busy="true" aria-label="Loading usage">
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-6">
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} className="h-24" />
        ))}
      </div>
      <div className="grid gap-4 lg:grid-cols-2">
        <Skeleton className="h-64" />
        <Skeleton className="h-64" />
      </div>
    </div>
  );
}
