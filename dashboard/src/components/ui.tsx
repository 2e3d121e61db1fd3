// Shared building blocks: every page uses these, so that they look and
// behave alike (44 px touch targets, visible focus, labels on controls).
import { useEffect, useId, useRef, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../api/client';

const cx = (...c: (string | false | null | undefined)[]) => c.filter(Boolean).join(' ');
export { cx };

type Variant = 'primary' | 'secondary' | 'danger' | 'ghost';
const variants: Record<Variant, string> = {
  primary: 'bg-blue-700 text-white hover:bg-blue-800 disabled:bg-blue-300',
  secondary: 'bg-white text-slate-900 border border-slate-300 hover:bg-slate-100 disabled:text-slate-500',
  danger: 'bg-red-700 text-white hover:bg-red-800 disabled:bg-red-300',
  ghost: 'text-slate-800 hover:bg-slate-200',
};

export function Button({ variant = 'secondary', className, type = 'button', ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant }) {
  return (
    <button
      type={type}
      className={cx('inline-flex min-h-11 min-w-11 items-center justify-center gap-2 rounded-md px-4 text-sm font-medium disabled:cursor-not-allowed', variants[variant], className)}
      {...rest}
    />
  );
}

/** Page: a title, one line saying what it shows, actions, then the content. */
export function Page({ title, description, actions, children }: { title: string; description: string; actions?: ReactNode; children: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · aigw`;
  }, [title]);
  return (
    <div className="mx-auto max-w-7xl p-4 sm:p-6">
      <div className="mb-4 flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
          <p className="mt-1 text-sm text-slate-700">{description}</p>
        </div>
        {actions && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
      </div>
      {children}
    </div>
  );
}

export function Card({ title, children, className, actions }: { title?: ReactNode; children: ReactNode; className?: string; actions?: ReactNode }) {
  return (
    <section className={cx('rounded-lg border border-slate-200 bg-white p-4 shadow-sm', className)}>
      {(title || actions) && (
        <div className="mb-3 flex items-center justify-between gap-2">
          {title && <h2 className="text-base font-semibold">{title}</h2>}
          {actions}
        </div>
      )}
      {children}
    </section>
  );
}

/** Skeleton: a grey block of the final layout's shape, while loading. */
export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden="true" className={cx('animate-pulse rounded-md bg-slate-200', className ?? 'h-4 w-full')} />;
}

export function SkeletonPage({ rows = 5 }: { rows?: number }) {
  return (
    <div className="mx-auto max-w-7xl p-4 sm:p-6" aria-busy="true" aria-label="Loading">
      <Skeleton className="mb-2 h-7 w-48" />
      <Skeleton className="mb-6 h-4 w-80 max-w-full" />
      <div className="space-y-3">
        {Array.from({ length: rows }, (_, i) => (
          <Skeleton key={i} className="h-12 w-full" />
        ))}
      </div>
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center">
      <p className="font-medium">{title}</p>
      {children && <p className="mt-1 text-sm text-slate-700">{children}</p>}
      {action && <div className="mt-4">{action}</div>}
    </div>
  );
}

/** ErrorState says what failed and offers a retry. */
export function ErrorState({ what, error, retry }: { what: string; error: unknown; retry?: () => void }) {
  const msg = error instanceof Error ? error.message : String(error);
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900">
      <p className="font-medium">Could not load {what}.</p>
      <p className="mt-1">{forbidden ? 'Your role may not see this.' : msg}</p>
      {retry && !forbidden && (
        <Button className="mt-3" onClick={retry}>
          Retry
        </Button>
      )}
    </div>
  );
}

export function Field({ label, hint, error, children }: { label: string; hint?: string; error?: string | null; children: (id: string, describedBy?: string) => ReactNode }) {
  const id = useId();
  const hintID = hint ? id + '-hint' : undefined;
  const errID = error ? id + '-err' : undefined;
  const by = [hintID, errID].filter(Boolean).join(' ') || undefined;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      {children(id, by)}
      {hint && (
        <p id={hintID} className="text-xs text-slate-700">
          {hint}
        </p>
      )}
      {error && (
        <p id={errID} className="text-sm text-red-800">
          {error}
        </p>
      )}
    </div>
  );
}

const control = 'min-h-11 w-full rounded-md border border-slate-400 bg-white px-3 text-sm';

export function TextInput({ label, hint, error, className, ...rest }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string; error?: string | null }) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(id, by) => <input id={id} aria-describedby={by} aria-invalid={error ? true : undefined} className={cx(control, className)} {...rest} />}
    </Field>
  );
}

export function Select({ label, hint, error, className, children, ...rest }: SelectHTMLAttributes<HTMLSelectElement> & { label: string; hint?: string; error?: string | null }) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(id, by) => (
        <select id={id} aria-describedby={by} className={cx(control, className)} {...rest}>
          {children}
        </select>
      )}
    </Field>
  );
}

/** Dialog: modal, labelled by its title, Escape closes, focus kept inside and
 *  given back to what had it when it closes. */
export function Dialog({ title, onClose, children, footer }: { title: string; onClose: () => void; children: ReactNode; footer?: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const titleID = useId();
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const el = ref.current!;
    const focusables = () => Array.from(el.querySelectorAll<HTMLElement>('button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])')).filter((x) => !x.hasAttribute('disabled'));
    (focusables()[0] ?? el).focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onClose();
      } else if (e.key === 'Tab') {
        const f = focusables();
        if (f.length === 0) return;
        const first = f[0], last = f[f.length - 1];
        if (e.shiftKey && document.activeElement === first) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first.focus();
        }
      }
    };
    el.addEventListener('keydown', onKey);
    return () => {
      el.removeEventListener('keydown', onKey);
      before?.focus?.();
    };
  }, [onClose]);
  return (
    <div className="fixed inset-0 z-50 flex items-end justify-center bg-slate-900/50 sm:items-center" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={ref} role="dialog" aria-modal="true" aria-labelledby={titleID} tabIndex={-1} className="max-h-[90vh] w-full overflow-auto rounded-t-xl bg-white p-5 shadow-xl sm:max-w-lg sm:rounded-xl">
        <h2 id={titleID} className="mb-3 text-lg font-semibold">
          {title}
        </h2>
        <div className="space-y-3">{children}</div>
        {footer && <div className="mt-5 flex flex-wrap justify-end gap-2">{footer}</div>}
      </div>
    </div>
  );
}

/** ConfirmDialog asks before a destructive action, naming the object. */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, busy, error }: { title: string; children: ReactNode; confirmLabel: string; onConfirm: () => void; onCancel: () => void; busy?: boolean; error?: unknown }) {
  return (
    <Dialog
      title={title}
      onClose={onCancel}
      footer={
        <>
          <Button onClick={onCancel}>Cancel</Button>
          <Button variant="danger" onClick={onConfirm} disabled={busy}>
            {busy ? 'Working…' : confirmLabel}
          </Button>
        </>
      }
    >
      <div className="text-sm">{children}</div>
      {error ? <p role="alert" className="text-sm text-red-800">{error instanceof Error ? error.message : String(error)}</p> : null}
    </Dialog>
  );
}

export interface Column<T> {
  key: string;
  header: string;
  cell: (row: T) => ReactNode;
  className?: string;
}

/** Table: a table on wide screens, stacked cards under 640 px (one DOM, CSS only). */
export function Table<T>({ caption, columns, rows, rowKey, onRow }: { caption: string; columns: Column<T>[]; rows: T[]; rowKey: (r: T) => string; onRow?: (r: T) => void }) {
  return (
    <div tabIndex={0} role="region" aria-label={caption} className="overflow-x-auto rounded-lg border border-slate-200 bg-white max-sm:border-0 max-sm:bg-transparent">
      <table className="w-full text-left text-sm max-sm:block">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-100 text-xs uppercase tracking-wide text-slate-700 max-sm:hidden">
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={cx('px-3 py-2 font-semibold', c.className)}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="max-sm:block max-sm:space-y-3">
          {rows.map((r) => (
            <tr
              key={rowKey(r)}
              className={cx('border-t border-slate-200 max-sm:block max-sm:rounded-lg max-sm:border max-sm:bg-white max-sm:p-3', onRow && 'cursor-pointer hover:bg-slate-50')}
              onClick={onRow ? () => onRow(r) : undefined}
            >
              {columns.map((c) => (
                <td key={c.key} data-label={c.header} className={cx('px-3 py-2 align-middle max-sm:flex max-sm:justify-between max-sm:gap-3 max-sm:px-0 max-sm:py-1 max-sm:before:font-medium max-sm:before:text-slate-700 max-sm:before:content-[attr(data-label)]', c.className)}>
                  {c.cell(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Stat: one headline figure, linking to the rows behind it. */
export function Stat({ label, value, href, hint }: { label: string; value: ReactNode; href?: string; hint?: ReactNode }) {
  const inner = (
    <>
      <span className="block text-xs font-medium uppercase tracking-wide text-slate-700">{label}</span>
      <span className="mt-1 block text-2xl font-semibold tabular-nums">{value}</span>
      {hint && <span className="mt-1 block text-xs text-slate-700">{hint}</span>}
    </>
  );
  return href ? (
    <Link to={href} className="block min-h-11 rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-blue-400">
      {inner}
    </Link>
  ) : (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">{inner}</div>
  );
}

export function Badge({ tone = 'slate', children }: { tone?: 'slate' | 'green' | 'red' | 'amber' | 'blue'; children: ReactNode }) {
  const tones = { slate: 'bg-slate-200 text-slate-900', green: 'bg-green-100 text-green-900', red: 'bg-red-100 text-red-900', amber: 'bg-amber-100 text-amber-900', blue: 'bg-blue-100 text-blue-900' };
  return <span className={cx('inline-block rounded px-2 py-0.5 text-xs font-medium', tones[tone])}>{children}</span>;
}
