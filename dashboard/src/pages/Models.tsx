// Models: the gateway's catalog with providers, prices per million tokens and
// context windows, and whether the tenant's keys may call each model.
import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, type Schemas } from '../api/client';
import { Badge, Card, EmptyState, ErrorState, Page, Select, Skeleton, Table, TextInput, type Column } from '../components/ui';
import { formatInt, formatMoney } from '../lib/format';
import { useCan } from '../lib/session';

type Model = Schemas['Model'];

export const modelsQuery = { queryKey: ['models'], queryFn: () => api.get('/models'), staleTime: 60_000 } as const;

const priceFormat = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 6 });

/** perMillion shows a price per million tokens exactly (a unit price keeps its
 *  sub-cent digits: $0.075, not $0.08); Intl formats the decimal string as is. */
export function perMillion(s: string): string {
  return /^\d+(\.\d+)?$/.test(s) ? `${priceFormat.format(s as unknown as number)} / 1M` : `${formatMoney(s)} / 1M`;
}

export default function ModelsPage() {
  const q = useQuery(modelsQuery);
  const [search, setSearch] = useState('');
  const [provider, setProvider] = useState('');
  const [usable, setUsable] = useState<'all' | 'usable' | 'not'>('all');
  const canKeys = useCan('keys.create');

  const models = q.data?.data ?? [];
  const providers = useMemo(() => Array.from(new Set(models.map((m) => m.provider))).sort(), [models]);
  const rows = useMemo(() => {
    const s = search.trim().toLowerCase();
    return models.filter(
      (m) =>
        (!s || m.id.toLowerCase().includes(s) || m.upstream.toLowerCase().includes(s)) &&
        (!provider || m.provider === provider) &&
        (usable === 'all' || (usable === 'usable' ? m.usable_by_keys > 0 : m.usable_by_keys === 0)),
    );
  }, [models, search, provider, usable]);
  const usableCount = models.filter((m) => m.usable_by_keys > 0).length;

  const columns: Column<Model>[] = [
    {
      key: 'id',
      header: 'Model',
      cell: (m) => (
        <span>
          <span className="font-medium">{m.id}</span>
          {m.upstream !== m.id && <span className="block text-xs text-slate-700">upstream {m.upstream}</span>}
        </span>
      ),
    },
    { key: 'provider', header: 'Provider', cell: (m) => m.provider },
    { key: 'context', header: 'Context window', cell: (m) => `${formatInt(m.context_window)} tokens`, className: 'tabular-nums' },
    { key: 'input', header: 'Input', cell: (m) => perMillion(m.input_price_per_million_usd), className: 'tabular-nums' },
    { key: 'cached', header: 'Cached input', cell: (m) => perMillion(m.cached_input_price_per_million_usd), className: 'tabular-nums' },
    { key: 'output', header: 'Output', cell: (m) => perMillion(m.output_price_per_million_usd), className: 'tabular-nums' },
    {
      key: 'usable',
      header: 'Your keys',
      cell: (m) =>
        m.usable_by_keys > 0 ? (
          <Badge tone="green">Usable by {formatInt(m.usable_by_keys)} {m.usable_by_keys === 1 ? 'key' : 'keys'}</Badge>
        ) : (
          <Badge tone="slate">No key may call it</Badge>
        ),
    },
    {
      key: 'caps',
      header: 'Capabilities',
      cell: (m) => (m.capabilities.length ? <span className="flex flex-wrap gap-1">{m.capabilities.map((c) => <Badge key={c}>{c}</Badge>)}</span> : '—'),
    },
  ];

  return (
    <Page title="Models" description="The models the gateway routes to, their prices per million tokens (USD) and context windows, and which your keys may call.">
      {q.isPending ? (
        <div aria-busy="true" aria-label="Loading models" className="space-y-3">
          <Skeleton className="h-11 w-full" />
          {Array.from({ length: 6 }, (_, i) => (
            <Skeleton key={i} className="h-12 w-full" />
          ))}
        </div>
      ) : q.error ? (
        <ErrorState what="the model catalog" error={q.error} retry={() => q.refetch()} />
      ) : models.length === 0 ? (
        <EmptyState title="No models in the catalog">The gateway's configuration lists no models; add providers and models to its Caddyfile.</EmptyState>
      ) : (
        <>
          <Card className="mb-4">
            <p className="mb-3 text-sm">
              <strong>{formatInt(usableCount)}</strong> of {formatInt(models.length)} models may be called with your keys.
              {usableCount === 0 && canKeys && (
                <>
                  {' '}
                  <Link to="/keys" className="inline-block min-h-11 py-3 text-blue-800 underline">
                    Create a key
                  </Link>{' '}
                  to call them.
                </>
              )}
            </p>
            <div className="grid gap-3 sm:grid-cols-3">
              <TextInput label="Search" type="search" placeholder="Model name" value={search} onChange={(e) => setSearch(e.target.value)} />
              <Select label="Provider" value={provider} onChange={(e) => setProvider(e.target.value)}>
                <option value="">All providers</option>
                {providers.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </Select>
              <Select label="Availability" value={usable} onChange={(e) => setUsable(e.target.value as typeof usable)}>
                <option value="all">All models</option>
                <option value="usable">Usable by my keys</option>
                <option value="not">Not usable by my keys</option>
              </Select>
            </div>
          </Card>
          {rows.length === 0 ? (
            <EmptyState title="No model matches these filters">Clear the search or choose another provider.</EmptyState>
          ) : (
            <Table caption="Model catalog" columns={columns} rows={rows} rowKey={(m) => m.id} />
          )}
        </>
      )}
    </Page>
  );
}
