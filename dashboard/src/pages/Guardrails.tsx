// Guardrails: the tenant's policy (a template, per-detector actions over it,
// confidential terms, shadow mode), edited and saved; and a test box that
// runs a text through the engine and highlights what it found.
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, type Schemas } from '../api/client';
import { Badge, Button, Card, ErrorState, Field, Page, Select, Skeleton, cx } from '../components/ui';
import { formatTime } from '../lib/format';
import { useCan } from '../lib/session';

type Policy = Schemas['TenantPolicy'];
type Template = Schemas['PolicyTemplate'];
type Detector = Schemas['Detector'];
type Action = 'allow' | 'flag' | 'redact' | 'block';
type Finding = Schemas['GuardFinding'];

const ACTIONS: Action[] = ['allow', 'flag', 'redact', 'block'];
const ACTION_TONE: Record<string, 'green' | 'blue' | 'amber' | 'red' | 'slate'> = { allow: 'green', flag: 'blue', redact: 'amber', block: 'red' };
const DEFAULT_TEMPLATE = 'bfsi-standard';

/** The form's state: what PUT /guardrails/policy takes. */
interface Draft {
  template: string;
  /** detector id to the action chosen over the template; absent: the template's. */
  actions: Record<string, Action>;
  terms: string;
  shadow: boolean;
}

function draftOf(p: Policy, templates: Template[]): Draft {
  const actions: Record<string, Action> = {};
  for (const [id, s] of Object.entries(p.overrides)) actions[id] = s.action as Action;
  const template = p.template || (templates.some((t) => t.name === DEFAULT_TEMPLATE) ? DEFAULT_TEMPLATE : (templates[0]?.name ?? ''));
  return { template, actions, terms: p.terms.join('\n'), shadow: p.shadow };
}

/** requestOf builds the PUT body; an override keeps the threshold and redaction it had. */
export function requestOf(d: Draft, saved: Policy | undefined): Schemas['tenantPolicyRequest'] {
  const overrides: Record<string, Schemas['detectorOverrideRequest']> = {};
  for (const [id, action] of Object.entries(d.actions)) {
    const had = saved?.overrides[id];
    overrides[id] = had ? { action, redaction: had.redaction as 'placeholder' | 'mask_last4', threshold: had.threshold } : { action };
  }
  const terms = d.terms
    .split('\n')
    .map((t) => t.trim())
    .filter(Boolean);
  return { template: d.template, overrides, terms, shadow: d.shadow };
}

/** byteToIndex maps the engine's UTF-8 byte offsets onto the string's UTF-16 indices. */
export function byteToIndex(text: string): (byte: number) => number {
  const map: number[] = [];
  let b = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const units = cp > 0xffff ? 2 : 1;
    const bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < bytes; k++) map[b + k] = i;
    b += bytes;
    i += units;
  }
  map[b] = text.length;
  return (byte) => (byte >= b ? text.length : (map[byte] ?? text.length));
}

/** Highlighted shows the text with each finding marked and named. */
export function Highlighted({ text, findings }: { text: string; findings: Finding[] }) {
  const at = byteToIndex(text);
  const spans = [...findings].map((f) => ({ ...f, s: at(f.start), e: at(f.end) })).sort((a, b) => a.s - b.s || b.e - a.e);
  const out: ReactNode[] = [];
  let pos = 0;
  spans.forEach((f, i) => {
    if (f.s < pos) return; // overlapping: the first (longest) one shown
    if (f.s > pos) out.push(text.slice(pos, f.s));
    out.push(
      <mark key={i} className="rounded bg-amber-200 px-0.5 text-slate-950" title={`${f.type} (score ${f.score.toFixed(2)})`}>
        {text.slice(f.s, f.e)}
        <span className="ml-1 rounded bg-slate-800 px-1 text-[0.7rem] font-medium text-white">{f.type}</span>
      </mark>,
    );
    pos = f.e;
  });
  if (pos < text.length) out.push(text.slice(pos));
  return (
    <p data-testid="highlighted" className="whitespace-pre-wrap break-words rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-sm">
      {out}
    </p>
  );
}

/** FindingList names each finding's detector and score and, for a learned
 * detector, the word n-grams that raised its score most (never personal data). */
export function FindingList({ findings }: { findings: Finding[] }) {
  if (findings.length === 0) return null;
  return (
    <ul aria-label="Findings" className="space-y-1 text-sm">
      {findings.map((f, i) => (
        <li key={i} className="flex flex-wrap items-baseline gap-x-2">
          <span className="font-mono font-medium">{f.detector}</span>
          <span className="text-slate-600">score {f.score.toFixed(2)}</span>
          {f.features && f.features.length > 0 && (
            <span className="text-slate-700">
              because of: {f.features.map((w) => `“${w}”`).join(', ')}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

export default function GuardrailsPage() {
  const canWrite = useCan('guardrails.write');
  const canTest = useCan('guardrails.test');
  const policy = useQuery({ queryKey: ['guardrails', 'policy'], queryFn: () => api.get('/guardrails/policy') });
  const templates = useQuery({ queryKey: ['guardrails', 'templates'], queryFn: () => api.get('/guardrails/policies'), staleTime: 300_000 });
  const detectors = useQuery({ queryKey: ['guardrails', 'detectors'], queryFn: () => api.get('/guardrails'), staleTime: 300_000 });

  const loading = policy.isPending || templates.isPending || detectors.isPending;
  const failed = policy.error ?? templates.error ?? detectors.error;
  return (
    <Page title="Guardrails" description="What the gateway does when a prompt or an answer holds personal data, secrets, attacks or your confidential terms.">
      {loading ? (
        <div aria-busy="true" aria-label="Loading the policy" className="grid gap-4 lg:grid-cols-2">
          <Skeleton className="h-96 w-full" />
          <Skeleton className="h-96 w-full" />
        </div>
      ) : failed ? (
        <ErrorState
          what="the guardrail policy"
          error={failed}
          retry={() => {
            policy.refetch();
            templates.refetch();
            detectors.refetch();
          }}
        />
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          <PolicyEditor policy={policy.data!} templates={templates.data!.data} detectors={detectors.data!.data} canWrite={canWrite} />
          {canTest && <TestBox />}
        </div>
      )}
    </Page>
  );
}

function PolicyEditor({ policy, templates, detectors, canWrite }: { policy: Policy; templates: Template[]; detectors: Detector[]; canWrite: boolean }) {
  const qc = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(policy, templates));
  const [saved, setSaved] = useState(false);
  useEffect(() => setDraft(draftOf(policy, templates)), [policy, templates]);
  const template = templates.find((t) => t.name === draft.template);
  const save = useMutation({
    mutationFn: (d: Draft) => api.put('/guardrails/policy', { body: requestOf(d, policy) }),
    onSuccess: (p) => {
      qc.setQueryData(['guardrails', 'policy'], p);
      setSaved(true);
    },
  });
  const dirty = useMemo(() => JSON.stringify(draft) !== JSON.stringify(draftOf(policy, templates)), [draft, policy, templates]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    save.mutate(draft);
  };
  const set = (p: Partial<Draft>) => {
    setSaved(false);
    setDraft((d) => ({ ...d, ...p }));
  };
  const fieldError = save.error instanceof ApiError ? save.error : null;

  return (
    <Card title="Policy">
      <p className="mb-3 text-sm text-slate-700">
        {policy.configured ? (
          <>
            Version {policy.version}, saved {formatTime(policy.updated_at)}.{policy.shadow && ' In shadow mode: decisions are recorded, nothing is changed.'}
          </>
        ) : (
          'No tenant policy yet: the gateway route’s policy applies. Choose a template and save to set one.'
        )}
      </p>
      <form onSubmit={submit} className="space-y-4" aria-label="Guardrail policy">
        <fieldset disabled={!canWrite} className="space-y-4">
          <Select label="Template" value={draft.template} onChange={(e) => set({ template: e.target.value })} hint={template?.description}>
            {templates.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </Select>
          <div>
            <h3 className="mb-1 text-sm font-medium">Action per detector</h3>
            <p className="mb-2 text-xs text-slate-700">“Template” keeps the template’s action; any other choice overrides it.</p>
            <ul className="divide-y divide-slate-200 rounded-md border border-slate-200">
              {detectors.map((d) => {
                const base = (template?.detectors[d.id]?.action ?? 'allow') as Action;
                const chosen = draft.actions[d.id];
                const effective = chosen ?? base;
                return (
                  <li key={d.id} className="flex flex-col gap-2 p-3 sm:flex-row sm:items-center sm:justify-between">
                    <div className="min-w-0 flex-1">
                      <p className="font-mono text-sm">{d.id}</p>
                      <p className="text-xs text-slate-700">{d.description}</p>
                    </div>
                    <div className="flex shrink-0 items-center gap-2 sm:w-60">
                      <span className="w-14 shrink-0 text-center">
                        <Badge tone={ACTION_TONE[effective]}>{effective}</Badge>
                      </span>
                      <label className="sr-only" htmlFor={`action-${d.id}`}>
                        Action for {d.id}
                      </label>
                      <select
                        id={`action-${d.id}`}
                        className="min-h-11 w-full rounded-md border border-slate-400 bg-white px-2 text-sm"
                        value={chosen ?? ''}
                        onChange={(e) => {
                          const v = e.target.value as Action | '';
                          const actions = { ...draft.actions };
                          if (v) actions[d.id] = v;
                          else delete actions[d.id];
                          set({ actions });
                        }}
                      >
                        <option value="">Template ({base})</option>
                        {ACTIONS.map((a) => (
                          <option key={a} value={a}>
                            {a}
                          </option>
                        ))}
                      </select>
                    </div>
                  </li>
                );
              })}
            </ul>
          </div>
          <Field label="Confidential terms" hint="One per line: code names, client names. At least 3 characters each; matched by the confidential detector." error={fieldError?.param === 'terms' ? fieldError.message : null}>
            {(id, by) => (
              <textarea id={id} aria-describedby={by} rows={4} className="w-full rounded-md border border-slate-400 p-2 text-sm" value={draft.terms} onChange={(e) => set({ terms: e.target.value })} />
            )}
          </Field>
          <label className="flex min-h-11 items-center gap-3 text-sm">
            <input type="checkbox" className="h-5 w-5" checked={draft.shadow} onChange={(e) => set({ shadow: e.target.checked })} />
            <span>
              <span className="font-medium">Shadow mode</span>
              <span className="block text-xs text-slate-700">Record what the policy would do without blocking or redacting anything.</span>
            </span>
          </label>
        </fieldset>
        {canWrite ? (
          <div className="flex flex-wrap items-center gap-3">
            <Button type="submit" variant="primary" disabled={save.isPending || (!dirty && policy.configured)}>
              {save.isPending ? 'Saving…' : 'Save policy'}
            </Button>
            {dirty && (
              <Button onClick={() => setDraft(draftOf(policy, templates))} disabled={save.isPending}>
                Discard changes
              </Button>
            )}
            <span role="status" className="text-sm text-green-800">
              {saved && !dirty ? `Saved: version ${policy.version}.` : ''}
            </span>
          </div>
        ) : (
          <p className="text-sm text-slate-700">Your role may see the policy but not change it.</p>
        )}
        {save.error && (
          <p role="alert" className="text-sm text-red-800">
            Could not save the policy: {save.error.message}
          </p>
        )}
      </form>
    </Card>
  );
}

function TestBox() {
  const [text, setText] = useState('');
  const [direction, setDirection] = useState<'input' | 'output'>('input');
  const run = useMutation({ mutationFn: (v: { text: string; direction: 'input' | 'output' }) => api.post('/guardrails/test', { body: v }) });
  const [tested, setTested] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTested(text);
    run.mutate({ text, direction });
  };
  const r = run.data;
  return (
    <Card title="Test a text" className="lg:sticky lg:top-4 lg:self-start">
      <form onSubmit={submit} className="space-y-3" aria-label="Test a text against the policy">
        <Field label="Text" hint="Screened with the saved policy (not unsaved changes). The test is recorded in the audit log.">
          {(id, by) => <textarea id={id} aria-describedby={by} rows={6} required className="w-full rounded-md border border-slate-400 p-2 text-sm" value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <div className="flex flex-wrap items-end gap-3">
          <div className="w-48">
            <Select label="Direction" value={direction} onChange={(e) => setDirection(e.target.value as 'input' | 'output')}>
              <option value="input">Prompt (input)</option>
              <option value="output">Answer (output)</option>
            </Select>
          </div>
          <Button type="submit" variant="primary" disabled={run.isPending || !text.trim()}>
            {run.isPending ? 'Testing…' : 'Test'}
          </Button>
        </div>
      </form>
      {run.error && (
        <p role="alert" className="mt-3 text-sm text-red-800">
          The test failed: {run.error.message}
        </p>
      )}
      {r && (
        <div className="mt-4 space-y-3" aria-live="polite">
          <p className="text-sm">
            Decision: <Badge tone={ACTION_TONE[r.action] ?? 'slate'}>{r.action}</Badge>
            {r.shadow_action && (
              <span className="ml-2">
                (shadow: would <Badge tone={ACTION_TONE[r.shadow_action] ?? 'slate'}>{r.shadow_action}</Badge>)
              </span>
            )}
            {' — '}
            {r.findings.length === 0 ? 'nothing found.' : `${r.findings.length} ${r.findings.length === 1 ? 'finding' : 'findings'}: ${Array.from(new Set(r.findings.map((f) => f.type))).join(', ')}.`}
          </p>
          <Highlighted text={tested} findings={r.findings} />
          <FindingList findings={r.findings} />
          {r.action === 'redact' && (
            <div>
              <h3 className="text-sm font-medium">After redaction</h3>
              <p className={cx('whitespace-pre-wrap break-words rounded-md border border-slate-200 p-3 font-mono text-sm')}>{r.text}</p>
            </div>
          )}
        </div>
      )}
    </Card>
  );
}
