// Small SVG charts: no chart library, so the pages that draw them stay light.
// Colours from the Okabe–Ito palette (distinguishable in common colour
// blindness); series also differ by dash and are named in a legend.
import { formatCompact } from '../lib/format';

export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];

export interface Series {
  name: string;
  values: number[];
  color?: string;
  dashed?: boolean;
}

export interface LineChartProps {
  /** A label per point (the buckets). */
  labels: string[];
  series: Series[];
  /** A shaded band (such as a forecast's interval), low and high per point (NaN: none). */
  band?: { name: string; low: number[]; high: number[] };
  /** Formats the y axis and tooltips (default: compact). */
  format?: (n: number) => string;
  height?: number;
  title: string;
}

/** LineChart draws series over the same buckets, with a y axis, a legend and a table for screen readers. */
export function LineChart({ labels, series, band, format = formatCompact, height = 200, title }: LineChartProps) {
  const W = 600, H = height, L = 48, R = 8, T = 8, B = 24;
  const all = series.flatMap((s) => s.values).concat(band ? band.high.filter(Number.isFinite) : []);
  const max = Math.max(...all.filter(Number.isFinite), 0) || 1;
  const n = Math.max(labels.length, 1);
  const x = (i: number) => L + (n === 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (n - 1));
  const y = (v: number) => T + (H - T - B) * (1 - v / max);
  const path = (vs: number[]) =>
    vs.map((v, i) => (Number.isFinite(v) ? `${i === 0 || !Number.isFinite(vs[i - 1]) ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}` : '')).join('');
  const ticks = [0, 0.5, 1].map((f) => f * max);
  const every = Math.ceil(n / 6);
  let bandPath = '';
  if (band) {
    const idx = band.low.map((_, i) => i).filter((i) => Number.isFinite(band.low[i]) && Number.isFinite(band.high[i]));
    if (idx.length) {
      bandPath = idx.map((i, k) => `${k ? 'L' : 'M'}${x(i).toFixed(1)},${y(band.high[i]).toFixed(1)}`).join('') + idx.slice().reverse().map((i) => `L${x(i).toFixed(1)},${y(band.low[i]).toFixed(1)}`).join('') + 'Z';
    }
  }
  return (
    <figure>
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" role="img" aria-label={title}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={L} x2={W - R} y1={y(t)} y2={y(t)} stroke="#e2e8f0" />
            <text x={L - 4} y={y(t) + 4} textAnchor="end" fontSize="11" fill="#334155">
              {format(t)}
            </text>
          </g>
        ))}
        {labels.map((l, i) =>
          i % every === 0 ? (
            <text key={i} x={x(i)} y={H - 6} textAnchor="middle" fontSize="11" fill="#334155">
              {l}
            </text>
          ) : null,
        )}
        {bandPath && <path d={bandPath} fill="#0072B2" opacity="0.15" />}
        {series.map((s, k) => (
          <g key={s.name}>
            <path d={path(s.values)} fill="none" stroke={s.color ?? PALETTE[k % PALETTE.length]} strokeWidth="2" strokeDasharray={s.dashed ? '6 4' : undefined} />
            {s.values.map((v, i) =>
              Number.isFinite(v) ? (
                <circle key={i} cx={x(i)} cy={y(v)} r={n > 40 ? 0 : 2.5} fill={s.color ?? PALETTE[k % PALETTE.length]}>
                  <title>{`${s.name}, ${labels[i]}: ${format(v)}`}</title>
                </circle>
              ) : null,
            )}
          </g>
        ))}
      </svg>
      <figcaption className="mt-2 flex flex-wrap gap-4 text-xs text-slate-800">
        {series.map((s, k) => (
          <span key={s.name} className="inline-flex items-center gap-1">
            <svg width="20" height="6" aria-hidden="true">
              <line x1="0" x2="20" y1="3" y2="3" stroke={s.color ?? PALETTE[k % PALETTE.length]} strokeWidth="2" strokeDasharray={s.dashed ? '5 3' : undefined} />
            </svg>
            {s.name}
          </span>
        ))}
        {band && bandPath && (
          <span className="inline-flex items-center gap-1">
            <span aria-hidden="true" className="inline-block h-3 w-5 bg-[#0072B2] opacity-20" />
            {band.name}
          </span>
        )}
      </figcaption>
    </figure>
  );
}

export interface Bar {
  label: string;
  value: number;
  /** What is shown beside the bar (exact: money or a count). */
  display: string;
  href?: string;
}

/** BarList: horizontal bars (long model names read better than on a pie). */
export function BarList({ bars, title, empty = 'Nothing in this period.', LinkComponent }: { bars: Bar[]; title: string; empty?: string; LinkComponent?: (p: { to: string; className?: string; children: React.ReactNode }) => React.ReactNode }) {
  if (bars.length === 0) return <p className="text-sm text-slate-700">{empty}</p>;
  const max = Math.max(...bars.map((b) => b.value), 1e-12);
  return (
    <ul aria-label={title} className="space-y-2">
      {bars.map((b) => {
        const label = (
          <span className="flex justify-between gap-2 text-sm">
            <span className="truncate">{b.label || '(none)'}</span>
            <span className="tabular-nums font-medium">{b.display}</span>
          </span>
        );
        return (
          <li key={b.label}>
            {b.href && LinkComponent ? (
              <LinkComponent to={b.href} className="block min-h-11 rounded px-1 py-1 hover:bg-slate-100">
                {label}
                <Meter value={b.value} max={max} />
              </LinkComponent>
            ) : (
              <div className="px-1 py-1">
                {label}
                <Meter value={b.value} max={max} />
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function Meter({ value, max }: { value: number; max: number }) {
  return (
    <span aria-hidden="true" className="mt-1 block h-2 rounded bg-slate-100">
      <span className="block h-2 rounded bg-[#0072B2]" style={{ width: `${Math.max(1, (value / max) * 100)}%` }} />
    </span>
  );
}
