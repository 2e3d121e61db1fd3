import { describe, expect, it } from 'vitest';
import { configure, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import ModelsPage from './Models';
import { makeMe, renderPage, stubAPI } from '../test/render';
import type { Schemas } from '../api/client';

// A loaded machine (the whole suite on two shared cores) needs more than the 1 s default to settle.
configure({ asyncUtilTimeout: 5000 });

/** fill replaces a control's text as a paste would: fast and deterministic, even on a loaded machine. */
async function fill(el: HTMLElement, text: string) {
  await userEvent.clear(el);
  await userEvent.click(el);
  await userEvent.paste(text);
}

const model = (p: Partial<Schemas['Model']>): Schemas['Model'] => ({
  id: 'gpt-4o-mini', upstream: 'gpt-4o-mini', provider: 'openai', context_window: 128000, max_output_tokens: 16384,
  input_price_per_million_usd: '0.150000', cached_input_price_per_million_usd: '0.075000', output_price_per_million_usd: '0.600000',
  capabilities: ['chat', 'tools'], usable_by_keys: 2, ...p,
});

const catalog = [
  model({}),
  model({ id: 'claude-sonnet', upstream: 'claude-sonnet-4-5-20250929', provider: 'anthropic', context_window: 200000, input_price_per_million_usd: '3', output_price_per_million_usd: '15', cached_input_price_per_million_usd: '0.3', usable_by_keys: 0, capabilities: [] }),
];

describe('Models page', { timeout: 30_000 }, () => {
  it('lists the catalog with providers, exact prices, context windows and which keys may call each model', async () => {
    stubAPI({ 'GET /models': { body: { data: catalog, total: 2 } } });
    renderPage(<ModelsPage />);
    const table = await screen.findByRole('table', { name: 'Model catalog' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('gpt-4o-mini');
    expect(rows[1]).toHaveTextContent('openai');
    expect(rows[1]).toHaveTextContent('128,000 tokens');
    expect(rows[1]).toHaveTextContent('$0.15 / 1M');
    expect(rows[1]).toHaveTextContent('$0.075 / 1M');
    expect(rows[1]).toHaveTextContent('Usable by 2 keys');
    expect(rows[2]).toHaveTextContent('upstream claude-sonnet-4-5-20250929');
    expect(rows[2]).toHaveTextContent('$15.00 / 1M');
    expect(rows[2]).toHaveTextContent('No key may call it');
    expect(screen.getByText(/of 2 models may be called/)).toHaveTextContent('1 of 2 models');
  });

  it('filters by provider, name and availability', async () => {
    stubAPI({ 'GET /models': { body: { data: catalog, total: 2 } } });
    renderPage(<ModelsPage />);
    await screen.findByRole('table');
    await userEvent.selectOptions(screen.getByLabelText('Provider'), 'anthropic');
    expect(screen.getAllByRole('row')).toHaveLength(2);
    await userEvent.selectOptions(screen.getByLabelText('Provider'), '');
    await userEvent.selectOptions(screen.getByLabelText('Availability'), 'usable');
    expect(screen.getAllByRole('row')).toHaveLength(2);
    expect(screen.getByRole('table')).toHaveTextContent('gpt-4o-mini');
    await fill(screen.getByLabelText('Search'), 'nothing-like-it');
    expect(screen.getByText('No model matches these filters')).toBeInTheDocument();
  });

  it('offers to create a key only to roles that may, when no model is usable', async () => {
    stubAPI({ 'GET /models': { body: { data: [catalog[1]], total: 1 } } });
    renderPage(<ModelsPage />, { me: makeMe('viewer', { 'models.read': 'tenant' }) });
    await screen.findByRole('table');
    expect(screen.queryByRole('link', { name: 'Create a key' })).toBeNull();
  });

  it('says the catalog is empty, and shows a failure with a retry', async () => {
    stubAPI({ 'GET /models': { body: { data: [], total: 0 } } });
    renderPage(<ModelsPage />);
    expect(await screen.findByText('No models in the catalog')).toBeInTheDocument();
  });

  it('shows an error with a retry', async () => {
    stubAPI({ 'GET /models': { status: 500, body: { error: { message: 'database down', type: 'server_error', code: null } } } });
    renderPage(<ModelsPage />);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the model catalog');
    expect(alert).toHaveTextContent('database down');
    expect(within(alert).getByRole('button', { name: 'Retry' })).toBeInTheDocument();
  });
});
