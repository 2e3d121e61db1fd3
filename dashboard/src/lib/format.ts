// Formatting of the numbers people read. Money stays the API's exact decimal
// string: Intl.NumberFormat formats a numeric string exactly, without going
// through a float.

const moneyCache = new Map<string, Intl.NumberFormat>();
function moneyFormat(currency: string, digits: number): Intl.NumberFormat {
  const k = `${currency}/${digits}`;
  let f = moneyCache.get(k);
  if (!f) {
    f = new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: Math.min(digits, 2), maximumFractionDigits: digits });
    moneyCache.set(k, f);
  }
  return f;
}

const decimalShape = /^-?\d+(\.\d+)?$/;

/** formatMoney shows an exact decimal string such as "1234.500000000000" as $1,234.50;
 *  amounts under a cent keep up to 6 decimals so that they do not read as zero. */
export function formatMoney(exact: string | null | undefined, currency = 'USD'): string {
  if (exact === null || exact === undefined || exact === '') return '—';
  const s = exact.trim();
  if (!decimalShape.test(s)) return s;
  const abs = s.replace(/^-/, '');
  const [int, frac = ''] = abs.split('.');
  const tiny = /^0+$/.test(int) && /^00/.test(frac.padEnd(2, '0')) && /[1-9]/.test(frac);
  // Intl accepts numeric strings and formats them exactly (no float rounding).
  return moneyFormat(currency, tiny ? 6 : 2).format(s as unknown as number);
}

const intFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compactFormat = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/** formatInt shows a count exactly, with thousands separators. */
export function formatInt(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : intFormat.format(n);
}

/** formatCompact abbreviates large values (1.2M), for chart axes only. */
export function formatCompact(n: number): string {
  return compactFormat.format(n);
}

/** formatPercent shows a ratio (0.0123) as 1.2 %. */
export function formatPercent(part: number, whole: number): string {
  if (!whole) return '0%';
  return new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 }).format(part / whole);
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${formatInt(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** formatTime shows an instant in the browser's zone, with the zone named. */
export function formatTime(iso: string | null | undefined, opts: { withZone?: boolean } = { withZone: true }): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
    ...(opts.withZone ? { timeZoneName: 'short' } : {}),
  });
}

/** formatDay shows a bucket's start as a short day or hour label. */
export function formatBucket(iso: string, granularity: 'hour' | 'day'): string {
  const d = new Date(iso);
  return granularity === 'hour'
    ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/** The browser's zone, to say which zone times are shown in. */
export function zoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
}

/** decimalToNumber converts an exact decimal string for charts only (never for shown totals). */
export function decimalToNumber(s: string | null | undefined): number {
  const n = Number(s);
  return Number.isFinite(n) ? n : 0;
}
