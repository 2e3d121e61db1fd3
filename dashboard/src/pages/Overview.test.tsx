import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Overview, { fillSeries } from './Overview';
import { renderPage, stubAPI } from '../test/render';

const totals = (over = {}) => ({ requests: 12, prompt_tokens: 1000, completion_tokens: 234, cached_tokens: 0, cost_usd: '1.234500000000', errors: 3, guardrail_blocks: 2, ...over });
const dashboard = {
  from: '2026-03-09T00:00:00Z', to: '2026-03-15T12:00:00Z', granularity: 'day',
  totals: totals(),
  series: [{ key: '2026-03-10T00:00:00Z', ...totals() }],
  by_model: [{ key: 'gpt-4o', ...totals() }], by_provider: [{ key: 'openai', ...totals() }],
  by_user: [{ key: 'u-7', ...totals() }], by_key: [{ key: '', ...totals() }],
  p50_latency_ms: 120, p95_latency_ms: 1800,
};

afterEach(() => vi.unstubAllGlobals());

describe('Overview', () => {
  it('shows the period’s figures, each linking to the rows behind it', async () => {
    const calls = stubAPI({ 'GET /usage/dashboard': { body: dashboard }, 'GET /users': { body: { data: [{ id: 'u-7', email: 'ana@acme.test', name: 'Ana' }], total: 1 } }, 'GET /api-keys': { body: { data: [], total: 0 } } });
    renderPage(<Overview />, { path: '/overview?period=30d' });
    const requests = await screen.findByRole('link', { name: /^Requests\s*12/ });
    expect(requests).toHaveAttribute('href', '/requests?period=30d');
    expect(screen.getByRole('link', { name: /^Error rate/ })).toHaveAttribute('href', '/requests?period=30d&outcome=error');
    expect(screen.getByRole('link', { name: /^Error rate/ })).toHaveTextContent('25%');
    expect(screen.getByRole('link', { name: /^Guardrail blocks\s*2/ })).toHaveAttribute('href', '/requests?period=30d&outcome=blocked');
    expect(screen.getByRole('link', { name: /^Latency p50 \/ p95/ })).toHaveAttribute('href', '/requests?period=30d');
    expect(screen.getByRole('link', { name: /^Cost\s*\$1\.23/ })).toBeInTheDocument();
    expect(screen.getByText('p95 1.80 s')).toBeInTheDocument();
    expect(within(screen.getByRole('list', { name: 'Cost by model' })).getByRole('link', { name: /gpt-4o/ })).toHaveAttribute('href', '/requests?period=30d&model=gpt-4o');
    // Users by name; "no key" links to the rows without one.
    expect(await within(screen.getByRole('list', { name: 'Cost by user' })).findByRole('link', { name: /Ana/ })).toHaveAttribute('href', '/requests?period=30d&user_id=u-7');
    expect(within(screen.getByRole('list', { name: 'Cost by API key' })).getByRole('link')).toHaveAttribute('href', '/requests?period=30d&key_id=none');
    const q = new URL(calls.find((c) => c.url.includes('/usage/dashboard'))!.url, 'http://x').searchParams;
    expect(q.get('granularity')).toBe('day');
    expect(new Date(q.get('to')!).getTime() - new Date(q.get('from')!).getTime()).toBeGreaterThan(29 * 86400_000);
  });

  it('keeps the period in the URL', async () => {
    stubAPI({ 'GET /usage/dashboard': { body: dashboard }, 'GET /users': { body: { data: [], total: 0 } }, 'GET /api-keys': { body: { data: [], total: 0 } } });
    const { router } = renderPage(<Overview />, { path: '/overview' });
    await userEvent.click(await screen.findByRole('button', { name: 'Today' }));
    expect(router.state.location.search).toBe('?period=today');
    expect(screen.getByRole('button', { name: 'Today' })).toHaveAttribute('aria-pressed', 'true');
  });

  it('says what to do when the period is empty', async () => {
    stubAPI({ 'GET /usage/dashboard': { body: { ...dashboard, totals: totals({ requests: 0 }) } }, 'GET /users': { body: { data: [], total: 0 } }, 'GET /api-keys': { body: { data: [], total: 0 } } });
    renderPage(<Overview />);
    expect(await screen.findByText(/No requests in this period/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Send one from the playground' })).toHaveAttribute('href', '/playground');
  });
});

describe('fillSeries', () => {
  it('adds the empty days between the period’s ends', () => {
    const out = fillSeries([{ key: '2026-03-10T00:00:00Z', ...totals() }], '2026-03-09T10:00:00Z', '2026-03-12T01:00:00Z', 'day');
    expect(out.map((g) => [g.key.slice(0, 10), g.requests])).toEqual([['2026-03-09', 0], ['2026-03-10', 12], ['2026-03-11', 0], ['2026-03-12', 0]]);
  });
});
