import { useState } from 'react';
import { PERIODS, usePeriod } from '../lib/period';
import { zoneName } from '../lib/format';
import { Button, cx } from './ui';

/** PeriodPicker: today, 7 days, 30 days, this month or a custom range, kept in the URL. */
export function PeriodPicker() {
  const [period, setPeriod] = usePeriod();
  const [from, setFrom] = useState(period.from.slice(0, 10));
  const [to, setTo] = useState(period.to.slice(0, 10));
  return (
    <div className="flex flex-wrap items-end gap-2">
      <div role="group" aria-label="Period" className="flex flex-wrap rounded-md border border-slate-300 bg-white">
        {PERIODS.map((p) => (
          <button
            key={p.id}
            type="button"
            aria-pressed={period.id === p.id}
            onClick={() => (p.id === 'custom' ? setPeriod('custom', { from: new Date(from).toISOString(), to: new Date(new Date(to).getTime() + 86400_000).toISOString() }) : setPeriod(p.id))}
            className={cx('min-h-11 px-3 text-sm', period.id === p.id ? 'bg-blue-700 text-white' : 'text-slate-800 hover:bg-slate-100')}
          >
            {p.label}
          </button>
        ))}
      </div>
      {period.id === 'custom' && (
        <div className="flex flex-wrap items-end gap-2">
          <label className="flex flex-col text-xs font-medium">
            From
            <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} className="min-h-11 rounded-md border border-slate-400 px-2" />
          </label>
          <label className="flex flex-col text-xs font-medium">
            To
            <input type="date" value={to} onChange={(e) => setTo(e.target.value)} className="min-h-11 rounded-md border border-slate-400 px-2" />
          </label>
          <Button onClick={() => setPeriod('custom', { from: new Date(from).toISOString(), to: new Date(new Date(to).getTime() + 86400_000).toISOString() })}>Apply</Button>
        </div>
      )}
      <span className="text-xs text-slate-700">Times in {zoneName()}</span>
    </div>
  );
}
