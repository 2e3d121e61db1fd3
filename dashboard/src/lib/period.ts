// The period picker's state lives in the URL (?period=7d, or
// ?period=custom&from=...&to=...), so that a link reproduces a view.
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';

export const PERIODS = [
  { id: 'today', label: 'Today' },
  { id: '7d', label: '7 days' },
  { id: '30d', label: '30 days' },
  { id: 'month', label: 'This month' },
  { id: 'custom', label: 'Custom' },
] as const;
export type PeriodID = (typeof PERIODS)[number]['id'];

export interface Period {
  id: PeriodID;
  /** Start, inclusive, and end, exclusive, as UTC ISO 8601 strings for the API. */
  from: string;
  to: string;
  /** Hourly buckets for a day or less, daily otherwise. */
  granularity: 'hour' | 'day';
  label: string;
}

function startOfDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

/** resolvePeriod turns the URL's parameters into a period; now is injectable for tests. */
export function resolvePeriod(params: URLSearchParams, now: Date = new Date()): Period {
  const raw = params.get('period') ?? '7d';
  const id = (PERIODS.some((p) => p.id === raw) ? raw : '7d') as PeriodID;
  let from: Date;
  let to = now;
  switch (id) {
    case 'today':
      from = startOfDay(now);
      break;
    case '30d':
      from = startOfDay(new Date(now.getTime() - 29 * 86400_000));
      break;
    case 'month':
      from = new Date(now.getFullYear(), now.getMonth(), 1);
      break;
    case 'custom': {
      const f = new Date(params.get('from') ?? '');
      const t = new Date(params.get('to') ?? '');
      if (Number.isNaN(f.getTime()) || Number.isNaN(t.getTime()) || f >= t) {
        return resolvePeriod(new URLSearchParams('period=7d'), now);
      }
      from = f;
      to = t;
      break;
    }
    default:
      from = startOfDay(new Date(now.getTime() - 6 * 86400_000));
  }
  const hours = (to.getTime() - from.getTime()) / 3600_000;
  const label = PERIODS.find((p) => p.id === id)!.label;
  return { id, from: from.toISOString(), to: to.toISOString(), granularity: hours <= 48 ? 'hour' : 'day', label };
}

/** usePeriod reads the period from the URL and returns a setter that keeps the other parameters. */
export function usePeriod(): [Period, (id: PeriodID, custom?: { from: string; to: string }) => void] {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  // Resolved once per URL, so "now" does not move on every render and refetch.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const period = useMemo(() => resolvePeriod(params), [key]);
  const set = (id: PeriodID, custom?: { from: string; to: string }) => {
    const next = new URLSearchParams(params);
    next.set('period', id);
    next.delete('from');
    next.delete('to');
    if (id === 'custom' && custom) {
      next.set('from', custom.from);
      next.set('to', custom.to);
    }
    setParams(next, { replace: false });
  };
  return [period, set];
}
