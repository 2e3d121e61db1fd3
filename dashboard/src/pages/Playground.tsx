import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { Badge, Button, Card, ErrorState, Page, Select, Skeleton, TextInput } from '../components/ui';
import { formatInt, formatMoney } from '../lib/format';
import { byteSpans, SSEParser } from '../lib/sse';
import { useCan } from '../lib/session';

type Msg = { role: 'user' | 'assistant'; content: string };
type Meta = Record<string, string>;
type Finding = { start: number; end: number; type: string };

const HEADERS: [string, string][] = [
  ['X-Aigw-Provider', 'Provider'],
  ['X-Aigw-Model', 'Model'],
  ['X-Aigw-Attempts', 'Attempts'],
  ['X-Aigw-Cost', 'Cost'],
  ['X-Aigw-Overhead-Ms', 'Gateway overhead'],
  ['X-Aigw-Request-Id', 'Request id'],
  ['X-Aigw-Guardrail', 'Guardrail'],
  ['X-Aigw-Guardrail-Detectors', 'Detectors'],
];

// The temporary key lives in this module's memory only: never in storage,
// gone on reload, expiring within the hour anyway.
let tempKey: { id: string; key: string; prefix: string; expires: number } | null = null;

export default function Playground() {
  const models = useQuery({ queryKey: ['models'], queryFn: () => api.get('/models') });
  const mayCreate = useCan('keys.create');
  const mayTest = useCan('guardrails.test');
  const [model, setModel] = useState('');
  const [keyMode, setKeyMode] = useState<'temp' | 'paste'>(mayCreate ? 'temp' : 'paste');
  const [pasted, setPasted] = useState('');
  const [msgs, setMsgs] = useState<Msg[]>([]);
  const [input, setInput] = useState('');
  const [streaming, setStreaming] = useState(false);
  const [meta, setMeta] = useState<Meta>({});
  const [usage, setUsage] = useState<{ prompt_tokens: number; completion_tokens: number } | null>(null);
  const [error, setError] = useState<{ message: string; code?: string | null } | null>(null);
  const [findings, setFindings] = useState<{ text: string; items: Finding[] } | null>(null);
  const abort = useRef<AbortController | null>(null);
  // A stream's cost is known only after its last byte (the gateway cannot put
  // it in a header), so it is read from the usage log: the request's row,
  // found by the temporary key and the request id, once the meter wrote it.
  const [costOf, setCostOf] = useState<{ keyId: string; requestId: string; since: string } | null>(null);
  const costRow = useQuery({
    queryKey: ['playground', 'cost', costOf?.requestId],
    enabled: costOf !== null,
    queryFn: async () => {
      const r = await api.get('/usage/requests', {
        query: { from: costOf!.since, to: new Date(Date.now() + 60_000).toISOString(), key_id: costOf!.keyId, limit: 50 } as never,
      });
      return r.data.find((row) => row.request_id === costOf!.requestId) ?? null;
    },
    refetchInterval: (q) => (q.state.data || q.state.dataUpdateCount > 15 ? false : 1000),
  });
  const chatModels = (models.data?.data ?? []).filter((m) => m.capabilities.includes('chat'));
  useEffect(() => {
    if (!model && chatModels.length) setModel(chatModels[0].id);
  }, [chatModels, model]);
  useEffect(() => () => abort.current?.abort(), []);

  const makeKey = useMutation({
    mutationFn: () =>
      api.post('/api-keys', { body: { name: `playground ${new Date().toISOString().slice(0, 16)}`, expires_at: new Date(Date.now() + 3600_000).toISOString() } }),
    onSuccess: (k) => {
      tempKey = { id: k.id, key: k.key, prefix: k.prefix, expires: Date.now() + 3500_000 };
    },
  });

  async function keyToUse(): Promise<string> {
    if (keyMode === 'paste') return pasted.trim();
    if (!tempKey || tempKey.expires < Date.now()) await makeKey.mutateAsync();
    return tempKey!.key;
  }

  async function screen(text: string) {
    if (!mayTest) return;
    try {
      const r = await api.post('/guardrails/test', { body: { text } });
      setFindings({ text, items: r.findings });
    } catch {
      /* highlighting is a help, not the answer */
    }
  }

  async function send(e: FormEvent) {
    e.preventDefault();
    const text = input.trim();
    if (!text || streaming) return;
    setError(null);
    setFindings(null);
    setMeta({});
    setUsage(null);
    setCostOf(null);
    const history: Msg[] = [...msgs, { role: 'user', content: text }];
    setMsgs([...history, { role: 'assistant', content: '' }]);
    setInput('');
    setStreaming(true);
    const ctl = new AbortController();
    abort.current = ctl;
    try {
      const key = await keyToUse();
      if (!key) throw new Error('Paste an API key, or use a temporary key.');
      const res = await fetch('/v1/chat/completions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
        body: JSON.stringify({ model, messages: history, stream: true, stream_options: { include_usage: true } }),
        signal: ctl.signal,
      });
      const m: Meta = {};
      for (const [h] of HEADERS) {
        const v = res.headers.get(h);
        if (v) m[h] = v;
      }
      setMeta(m);
      if (m['X-Aigw-Guardrail']) void screen(text);
      if (!res.ok || !res.body) {
        let body: { error?: { message?: string; code?: string | null } } = {};
        try {
          body = await res.json();
        } catch {
          /* not JSON */
        }
        setError({ message: body.error?.message ?? `${res.status} ${res.statusText}`, code: body.error?.code });
        if (body.error?.code?.startsWith('guardrail')) void screen(text);
        setMsgs(history);
        return;
      }
      const reader = res.body.getReader();
      const parser = new SSEParser();
      let answer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const c of parser.push(value)) {
          if (c.error) setError({ message: c.error.message, code: c.error.code });
          const d = c.choices?.[0]?.delta?.content;
          if (d) {
            answer += d;
            setMsgs([...history, { role: 'assistant', content: answer }]);
          }
          if (c.usage) setUsage(c.usage);
        }
      }
      if (!m['X-Aigw-Cost'] && m['X-Aigw-Request-Id'] && keyMode === 'temp' && tempKey) {
        setCostOf({ keyId: tempKey.id, requestId: m['X-Aigw-Request-Id'], since: new Date(Date.now() - 3600_000).toISOString() });
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') setError({ message: (err as Error).message });
    } finally {
      setStreaming(false);
      abort.current = null;
    }
  }

  return (
    <Page title="Playground" description="Send a chat through the gateway, as an application would, and see what the gateway did with it.">
      <div className="grid gap-4 lg:grid-cols-[1fr_20rem]">
        <Card>
          <div className="mb-3 grid gap-3 sm:grid-cols-2">
            {models.isPending ? (
              <Skeleton className="h-16" />
            ) : models.error ? (
              <ErrorState what="models" error={models.error} retry={() => models.refetch()} />
            ) : (
              <Select label="Model" value={model} onChange={(e) => setModel(e.target.value)}>
                {chatModels.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.id} ({m.provider})
                  </option>
                ))}
              </Select>
            )}
            <Select label="API key" value={keyMode} onChange={(e) => setKeyMode(e.target.value as 'temp' | 'paste')}>
              {mayCreate && <option value="temp">Temporary key (this session, 1 hour)</option>}
              <option value="paste">Paste a key</option>
            </Select>
            {keyMode === 'paste' && (
              <div className="sm:col-span-2">
                <TextInput label="Key" type="password" autoComplete="off" value={pasted} onChange={(e) => setPasted(e.target.value)} hint="Used for these calls only; not stored." />
              </div>
            )}
          </div>
          <ol aria-label="Conversation" aria-live="polite" className="mb-3 min-h-40 space-y-3 rounded-md bg-slate-50 p-3">
            {msgs.length === 0 && <li className="text-sm text-slate-700">Write a message below to start.</li>}
            {msgs.map((m, i) => (
              <li key={i} className={m.role === 'user' ? 'ml-8 rounded-lg bg-blue-700 p-3 text-white' : 'mr-8 rounded-lg border border-slate-200 bg-white p-3'}>
                <span className="sr-only">{m.role === 'user' ? 'You' : 'Assistant'}: </span>
                <span className="whitespace-pre-wrap" data-testid={m.role === 'assistant' ? 'answer' : undefined}>
                  {m.content || (streaming && i === msgs.length - 1 ? '…' : '')}
                </span>
              </li>
            ))}
          </ol>
          {error && (
            <div role="alert" className="mb-3 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
              <p className="font-medium">The gateway refused the request{error.code ? ` (${error.code})` : ''}.</p>
              <p data-testid="refusal">{error.message}</p>
            </div>
          )}
          <form onSubmit={send} className="flex flex-col gap-2 sm:flex-row sm:items-end">
            <label className="flex-1 text-sm font-medium">
              Message
              <textarea
                value={input}
                onChange={(e) => setInput(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send(e);
                }}
                rows={3}
                className="mt-1 block w-full rounded-md border border-slate-400 p-2 font-normal"
              />
            </label>
            {streaming ? (
              <Button variant="danger" onClick={() => abort.current?.abort()}>
                Stop
              </Button>
            ) : (
              <Button type="submit" variant="primary" disabled={!input.trim() || !model}>
                Send
              </Button>
            )}
          </form>
          {msgs.length > 0 && !streaming && (
            <Button variant="ghost" className="mt-2" onClick={() => { setMsgs([]); setMeta({}); setError(null); setFindings(null); setUsage(null); setCostOf(null); }}>
              Clear conversation
            </Button>
          )}
        </Card>
        <div className="space-y-4">
          <Card title="What the gateway did">
            <dl className="space-y-1 text-sm" aria-label="Response headers">
              {HEADERS.map(([h, label]) => (
                <div key={h} className="flex justify-between gap-2">
                  <dt className="text-slate-700">{label}</dt>
                  <dd className="break-all text-right font-medium" data-testid={`meta-${h}`}>
                    {h === 'X-Aigw-Cost' && meta[h] ? formatMoney(meta[h]) : h === 'X-Aigw-Overhead-Ms' && meta[h] ? `${meta[h]} ms` : meta[h] ?? (h === 'X-Aigw-Cost' && costRow.data ? `${formatMoney(costRow.data.cost_usd)} (usage log)` : h === 'X-Aigw-Cost' && usage ? 'in the usage log' : '—')}
                  </dd>
                </div>
              ))}
              {usage && (
                <div className="flex justify-between gap-2">
                  <dt className="text-slate-700">Tokens in / out</dt>
                  <dd className="font-medium">
                    {formatInt(usage.prompt_tokens)} / {formatInt(usage.completion_tokens)}
                  </dd>
                </div>
              )}
            </dl>
            {makeKey.error && <p role="alert" className="mt-2 text-sm text-red-800">Could not create a temporary key: {makeKey.error.message}</p>}
          </Card>
          {findings && findings.items.length > 0 && (
            <Card title="Guardrail findings">
              <p className="mb-2 text-sm text-slate-700">What the tenant’s policy finds in your message:</p>
              <p className="whitespace-pre-wrap rounded bg-slate-50 p-2 text-sm" data-testid="findings">
                {byteSpans(findings.text, findings.items).map((s, i) =>
                  s.type ? (
                    <mark key={i} className="rounded bg-amber-200 px-0.5" title={s.type}>
                      {s.text}
                      <span className="sr-only"> ({s.type})</span>
                    </mark>
                  ) : (
                    <span key={i}>{s.text}</span>
                  ),
                )}
              </p>
              <ul className="mt-2 flex flex-wrap gap-1">
                {[...new Set(findings.items.map((f) => f.type))].map((t) => (
                  <li key={t}>
                    <Badge tone="amber">{t}</Badge>
                  </li>
                ))}
              </ul>
            </Card>
          )}
        </div>
      </div>
    </Page>
  );
}
