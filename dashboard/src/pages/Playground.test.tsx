import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Playground from './Playground';
import { makeMe, renderPage } from '../test/render';

const models = { data: [{ id: 'gpt-4o', provider: 'openai', capabilities: ['chat'], upstream: 'gpt-4o', context_window: 1, input_price_per_million_usd: '1', output_price_per_million_usd: '1', cached_input_price_per_million_usd: '1', usable_by_keys: 1 }, { id: 'embed', provider: 'openai', capabilities: ['embeddings'] }], total: 2 };

function sse(events: string[]) {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const e of events) c.enqueue(enc.encode(e));
      c.close();
    },
  });
}

afterEach(() => vi.unstubAllGlobals());

describe('Playground', () => {
  it('streams an answer through the gateway with the pasted key and shows the gateway’s headers', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit) => {
      seen.push({ url, init });
      if (url === '/api/v1/admin/models') return new Response(JSON.stringify(models), { headers: { 'Content-Type': 'application/json' } });
      return new Response(sse(['data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n', 'data: {"choices":[{"delta":{"content":"lo"}}]}\n\n', 'data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}}\n\ndata: [DONE]\n\n']), {
        headers: { 'Content-Type': 'text/event-stream', 'X-Aigw-Provider': 'openai', 'X-Aigw-Model': 'gpt-4o', 'X-Aigw-Attempts': '2', 'X-Aigw-Overhead-Ms': '3' },
      });
    }));
    renderPage(<Playground />, { me: makeMe('viewer', { 'models.read': 'tenant' }) });
    // A role that may not create keys is offered no temporary key.
    expect(await screen.findByLabelText('Model')).toHaveValue('gpt-4o');
    expect(screen.queryByRole('option', { name: /embed/ })).toBeNull();
    expect(screen.getByLabelText('API key')).toHaveValue('paste');
    await userEvent.type(screen.getByLabelText('Key'), 'sk-aigw-mine');
    await userEvent.type(screen.getByLabelText('Message'), 'Hi');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(screen.getByTestId('answer')).toHaveTextContent('Hello'));
    expect(screen.getByTestId('meta-X-Aigw-Attempts')).toHaveTextContent('2');
    expect(screen.getByTestId('meta-X-Aigw-Overhead-Ms')).toHaveTextContent('3 ms');
    expect(screen.getByText('5 / 2')).toBeInTheDocument();
    const chat = seen.find((s) => s.url === '/v1/chat/completions')!;
    expect((chat.init.headers as Record<string, string>).Authorization).toBe('Bearer sk-aigw-mine');
    expect(JSON.parse(String(chat.init.body))).toMatchObject({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('shows a guardrail refusal and highlights what the policy found', async () => {
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      if (url === '/api/v1/admin/models') return new Response(JSON.stringify(models), { headers: { 'Content-Type': 'application/json' } });
      if (url === '/api/v1/admin/guardrails/test') return new Response(JSON.stringify({ action: 'block', text: '', findings: [{ type: 'email', start: 8, end: 20, score: 1 }] }), { headers: { 'Content-Type': 'application/json' } });
      return new Response(JSON.stringify({ error: { message: 'The request was blocked by the guardrail policy (detectors: email).', type: 'invalid_request_error', code: 'guardrail_violation', param: null } }), { status: 400, headers: { 'Content-Type': 'application/json', 'X-Aigw-Guardrail': 'block', 'X-Aigw-Guardrail-Detectors': 'email' } });
    }));
    renderPage(<Playground />, { me: makeMe('admin') });
    await screen.findByLabelText('Model');
    await userEvent.selectOptions(screen.getByLabelText('API key'), 'paste');
    await userEvent.type(screen.getByLabelText('Key'), 'k');
    await userEvent.type(screen.getByLabelText('Message'), 'Mail me ana@acme.bank');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByTestId('refusal')).toHaveTextContent('detectors: email');
    expect(screen.getByRole('alert')).toHaveTextContent('guardrail_violation');
    expect(screen.getByTestId('meta-X-Aigw-Guardrail-Detectors')).toHaveTextContent('email');
    const mark = await screen.findByText('ana@acme.ban', { exact: false, selector: 'mark' });
    expect(mark).toHaveTextContent('ana@acme.ban');
  });

  it('creates a temporary key once for the session and uses it', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit) => {
      seen.push({ url, init });
      if (url === '/api/v1/admin/models') return new Response(JSON.stringify(models), { headers: { 'Content-Type': 'application/json' } });
      if (url === '/api/v1/admin/api-keys') return new Response(JSON.stringify({ id: 'k', key: 'sk-aigw-TEMP', prefix: 'sk-aigw-TE' }), { status: 201, headers: { 'Content-Type': 'application/json' } });
      return new Response(sse(['data: {"choices":[{"delta":{"content":"ok"}}]}\n\ndata: [DONE]\n\n']), { headers: { 'Content-Type': 'text/event-stream' } });
    }));
    renderPage(<Playground />, { me: makeMe('admin') });
    await screen.findByLabelText('Model');
    expect(screen.getByLabelText('API key')).toHaveValue('temp');
    for (const text of ['one', 'two']) {
      await userEvent.type(screen.getByLabelText('Message'), text);
      await userEvent.click(screen.getByRole('button', { name: 'Send' }));
      await waitFor(() => expect(screen.getByRole('button', { name: 'Send' })).toBeInTheDocument());
      await waitFor(() => expect(screen.getAllByTestId('answer').at(-1)).toHaveTextContent('ok'));
    }
    const creates = seen.filter((s) => s.url === '/api/v1/admin/api-keys');
    expect(creates).toHaveLength(1);
    const body = JSON.parse(String(creates[0].init.body));
    expect(new Date(body.expires_at).getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
    const chats = seen.filter((s) => s.url === '/v1/chat/completions');
    expect(chats.map((c) => (c.init.headers as Record<string, string>).Authorization)).toEqual(['Bearer sk-aigw-TEMP', 'Bearer sk-aigw-TEMP']);
    // The second call carries the conversation so far.
    expect(JSON.parse(String(chats[1].init.body)).messages.map((m: { content: string }) => m.content)).toEqual(['one', 'ok', 'two']);
  });
  it('reads a stream’s cost from the usage log once the meter wrote the row', async () => {
    const seen: string[] = [];
    let polls = 0;
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      seen.push(url);
      const json = (b: unknown, status = 200) => new Response(JSON.stringify(b), { status, headers: { 'Content-Type': 'application/json' } });
      if (url === '/api/v1/admin/models') return json(models);
      if (url === '/api/v1/admin/api-keys') return json({ id: 'k2', key: 'sk-aigw-TEMP2', prefix: 'sk-aigw-TE' }, 201);
      if (url.startsWith('/api/v1/admin/usage/requests')) {
        polls++;
        // The first poll comes before the meter wrote the row.
        return json({ data: polls === 1 ? [] : [{ request_id: 'req_other', cost_usd: '9.00' }, { request_id: 'req_1', cost_usd: '1.50' }], total: polls === 1 ? 0 : 2 });
      }
      return new Response(sse(['data: {"choices":[{"delta":{"content":"ok"}}]}\n\n', 'data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}\n\ndata: [DONE]\n\n']), {
        headers: { 'Content-Type': 'text/event-stream', 'X-Aigw-Request-Id': 'req_1' },
      });
    }));
    renderPage(<Playground />, { me: makeMe('admin') });
    await screen.findByLabelText('Model');
    await userEvent.type(screen.getByLabelText('Message'), 'cost?');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(screen.getByTestId('meta-X-Aigw-Cost')).toHaveTextContent('$1.50 (usage log)'), { timeout: 5000 });
    const lookup = seen.find((u) => u.startsWith('/api/v1/admin/usage/requests'))!;
    expect(lookup).toMatch(/key_id=k2?(&|$)/);
  });
});
