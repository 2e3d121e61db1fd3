// Links that keep the period: a figure links to the rows behind it.
import type { Period } from './period';

export function periodParams(p: Period): URLSearchParams {
  const qs = new URLSearchParams({ period: p.id });
  if (p.id === 'custom') {
    qs.set('from', p.from);
    qs.set('to', p.to);
  }
  return qs;
}

/** requestsLink is the Requests page filtered like a figure, over the same period. */
export function requestsLink(p: Period, filter: Record<string, string> = {}): string {
  const qs = periodParams(p);
  for (const [k, v] of Object.entries(filter)) qs.set(k, v === '' ? 'none' : v);
  return '/requests?' + qs.toString();
}
