import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Requests from './Requests';
import { renderPage, stubAPI } from '../test/render';

const row = (i: number, over = {}) => ({
  request_id: `req-${i}`, created_at: '2026-03-10T10:00:00Z', user_id: null, key_id: 'k-1', endpoint: '/v1/chat/completions', requested_model: 'fast',
  model: 'gpt-4o', provider: 'openai', prompt_tokens: 1000, completion_tokens: 234, cached_tokens: 0, cost_usd: '0.001234000000', latency_ms: 1500,
  ttft_ms: 200, status: 200, error_code: '', guardrail_action: '', stream: true, attempts: 2, ...over,
});

afterEach(() => vi.unstubAllGlobals());

describe('Requests', () => {
  it('asks for the rows the URL names, and shows them with their detail', async () => {
    const calls = stubAPI({
      'GET /usage/requests': { body: { data: [row(1), row(2, { status: 400, guardrail_action: 'block', error_code: 'guardrail_violation' })], total: 120 } },
      'GET /users': { body: { data: [], total: 0 } },
      'GET /api-keys': { body: { data: [{ id: 'k-1', name: 'ci', prefix: 'sk-aigw-X' }], total: 1 } },
    });
    const { router } = renderPage(<Requests />, { path: '/requests?period=30d&model=gpt-4o&outcome=blocked' });
    await screen.findAllByText('gpt-4o');
    const q = new URL(calls.find((c) => c.url.includes('/usage/requests'))!.url, 'http://x').searchParams;
    expect([q.get('model'), q.get('outcome'), q.get('limit'), q.get('offset')]).toEqual(['gpt-4o', 'blocked', '50', '0']);
    expect(screen.getByText('blocked')).toBeInTheDocument();
    expect(screen.getByText('1–2 of 120')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Open request req-1' }));
    const detail = screen.getByRole('dialog', { name: 'Request' });
    expect(detail).toHaveTextContent('fast');
    expect(detail).toHaveTextContent('ci (sk-aigw-X…)');
    expect(detail).toHaveTextContent('1,000 / 234 / 0');
    await userEvent.keyboard('{Escape}');
    // A filter is removed from the URL; paging is in the URL too.
    await userEvent.click(screen.getByRole('button', { name: 'Remove the model filter' }));
    expect(router.state.location.search).toBe('?period=30d&outcome=blocked');
    await userEvent.click(within(screen.getByRole('navigation', { name: 'Pages' })).getByRole('button', { name: 'Next' }));
    expect(router.state.location.search).toBe('?period=30d&outcome=blocked&offset=50');
    await waitFor(() => expect(calls.some((c) => c.url.includes('offset=50'))).toBe(true));
  });

  it('says when nothing matches', async () => {
    stubAPI({ 'GET /usage/requests': { body: { data: [], total: 0 } }, 'GET /users': { body: { data: [], total: 0 } }, 'GET /api-keys': { body: { data: [], total: 0 } } });
    renderPage(<Requests />, { path: '/requests?provider=none' });
    expect(await screen.findByText('No requests match.')).toBeInTheDocument();
  });
});
