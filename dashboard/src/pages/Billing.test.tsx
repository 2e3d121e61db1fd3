import { afterEach, describe, expect, it, vi } from 'vitest';
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import BillingPage, { addMonths, intervalLabel, invoiceCSV, thisMonth } from './Billing';
import { makeMe, renderPage, stubAPI } from '../test/render';
import type { Schemas } from '../api/client';

// A loaded machine (the whole suite on two shared cores) needs more than the 1 s default to settle.
configure({ asyncUtilTimeout: 5000 });

const month = thisMonth();
const last = addMonths(month, -1);
const totals = (m: string, total: string): Schemas['MonthTotals'] => ({ month: m, currency: 'EUR', active_users: 1, requests: 5, seat_fees: '10', token_charges: '1', token_cost_usd: '1', total });
const summary: Schemas['BillingSummary'] = {
  month, currency: 'EUR', active_users: 3, requests: 1234, seat_fee: '25.00', seat_fees: '75.00', token_charges: '12.345678901234', token_cost_usd: '13.000000000001', total: '87.345678901234',
  by_model: [{ model: '', provider: '', requests: 2, prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, cost_usd: '0', charge: '0' }, { model: 'gpt-4o-mini', provider: 'openai', requests: 1000, prompt_tokens: 10, completion_tokens: 5, cached_tokens: 0, cost_usd: '10', charge: '9.20' }],
  by_provider: [{ provider: 'openai', requests: 1000, prompt_tokens: 10, completion_tokens: 5, cost_usd: '10', charge: '9.20' }],
  comparison: { last_month: totals(last, '50.00'), last_year: totals(addMonths(month, -12), '0') },
};
const day = (d: number, actual: string | null) => ({ date: `${month}-${String(d).padStart(2, '0')}`, actual, expected: '2', lower: '1', upper: '3' });
const forecast: Schemas['ForecastView'] = {
  month, as_of: new Date().toISOString(), currency: 'USD', spend_to_date: '4.50', projected_total: '60.10', lower: '50.00', upper: '70.00', interval: '0.8',
  method: 'linear-trend', history_days: 10, short_history: false, note: '', backtest: null, daily: [day(1, '2.25'), day(2, '2.25'), day(3, null), day(4, null)],
};
const users = [
  { id: 'u-1', tenant_id: 't-1', email: 'ana@acme.test', name: 'Ana', role: 'admin', status: 'active', has_password: true, sso: false, last_login_at: null, created_at: '', updated_at: '' },
  { id: 'u-2', tenant_id: 't-1', email: 'bo@acme.test', name: '', role: 'user', status: 'active', has_password: true, sso: false, last_login_at: null, created_at: '', updated_at: '' },
];
const userBilling = (id: string, cost: string) => ({
  month, currency: 'EUR', active: true, active_users: 3, requests: 7, seat_fees: '25.00', token_charges: cost, token_cost_usd: cost, total: cost,
  user: { id, email: users.find((u) => u.id === id)!.email, name: '' }, by_day: [], by_model: [{ model: 'gpt-4o-mini', provider: 'openai', requests: 7, prompt_tokens: 1200, completion_tokens: 300, cached_tokens: 0, cost_usd: cost, charge: cost }],
});
const invoice: Schemas['InvoiceView'] = {
  id: 'inv-1', number: 'INV-000001', kind: 'invoice', status: 'issued', currency: 'EUR', issued_at: '2026-12-01T00:00:00Z', period: { month: last, start: `${last}-01`, end: `${last}-28` },
  user_id: null, active_users: 3, credited_by: null, refers_to: null, reason: '', token_cost_usd: '13.000000000001', subtotal: '87.35', tax: '0.00', total: '87.35', exact_total: '87.345678901234', rounding_residue: '0.004321098766',
  plan: { currency: 'EUR', seat_fee: '25.00', usd_rate: '0.92', adjustments: [], default: false, updated_at: null },
  line_items: [
    { kind: 'seats', description: 'Seats, "active" users', quantity: '3', unit: 'user-month', unit_price: '25.00', amount: '75.00', exact_amount: '75.00' },
    { kind: 'output', description: '=gpt-4o-mini output', provider: 'openai', model: 'gpt-4o-mini', quantity: '0.5', unit: '1M tokens', unit_price: '0.552', amount: '0.28', exact_amount: '0.276' },
  ],
} as Schemas['InvoiceView'];

function stub(extra: Parameters<typeof stubAPI>[0] = {}) {
  return stubAPI({
    'GET /billing/summary': { body: summary },
    'GET /billing/forecast': { body: forecast },
    'GET /users': { body: { data: users, total: 2 } },
    'GET /billing/user/u-1': { body: userBilling('u-1', '3.10') },
    'GET /billing/user/u-2': { body: userBilling('u-2', '0.000123') },
    'GET /billing/invoices': { body: { data: [invoice], total: 1 } },
    'GET /billing/invoices/inv-1': { body: invoice },
    'POST /billing/invoice': { status: 201, body: invoice },
    ...extra,
  });
}

afterEach(() => vi.restoreAllMocks());

describe('Billing page', { timeout: 30_000 }, () => {
  it('shows the month’s exact totals, the comparison and the charges by model', async () => {
    stub();
    renderPage(<BillingPage />);
    const total = (await screen.findByText('Total (before tax)')).parentElement!;
    // The exact string is formatted, not recomputed: 87.345678901234 shows as €87.35.
    expect(total).toHaveTextContent(/€87\.35/);
    expect(total).toHaveTextContent(/€50\.00/);
    expect(screen.getByText(/3 active ×/)).toHaveTextContent('25.00');
    expect(screen.getByText('1,234')).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Charges by model' })).toHaveTextContent('gpt-4o-mini (openai)');
    // Refused requests have no model: said so, not "()".
    expect(screen.getByRole('list', { name: 'Charges by model' })).toHaveTextContent('(refused before a model was chosen)');
  });

  it('draws the forecast with its interval and says it in words', async () => {
    stub();
    renderPage(<BillingPage />);
    expect(await screen.findByText(/Spent so far/)).toHaveTextContent('80 % interval between $50.00 and $70.00');
    expect(screen.getByText(/Spent so far/)).toHaveTextContent('projected $60.10');
  });

  it('lists each user’s spend and opens their detail', async () => {
    stub();
    renderPage(<BillingPage />);
    const table = await screen.findByRole('table', { name: /Spend per user/ });
    await waitFor(() => expect(within(table).getAllByRole('row')[2]).toHaveTextContent('$0.000123'));
    await userEvent.click(within(table).getByRole('button', { name: /Ana/ }));
    const dialog = screen.getByRole('dialog');
    expect(dialog).toHaveTextContent('7 requests');
    expect(dialog).toHaveTextContent('1,200 / 300');
  });

  it('moves between months through the URL, never past this one', async () => {
    const calls = stub();
    const { router } = renderPage(<BillingPage />);
    await screen.findByText('Total (before tax)');
    expect(screen.getByRole('button', { name: 'Next month' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Previous month' }));
    await waitFor(() => expect(router.state.location.search).toContain(`month=${last}`));
    await waitFor(() => expect(calls.some((c) => c.url.includes('/billing/summary') && c.url.includes(`month=${last}`))).toBe(true));
  });

  it('links the usage CSV export of the month', async () => {
    stub();
    renderPage(<BillingPage />);
    const link = await screen.findByRole('link', { name: 'Per user' });
    expect(link).toHaveAttribute('href', `/api/v1/admin/billing/export/csv?from=${month}-01&to=${addMonths(month, 1)}-01&group_by=user`);
  });

  it('issues an invoice for last month and shows its line items', async () => {
    const calls = stub();
    renderPage(<BillingPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Issue invoice' }));
    const dialog = screen.getByRole('dialog', { name: 'Issue an invoice' });
    expect(within(dialog).getByLabelText('Month')).toHaveValue(last);
    await userEvent.selectOptions(await within(dialog).findByLabelText('Bill'), 'u-2');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Issue' }));
    const view = await screen.findByRole('dialog', { name: 'Invoice INV-000001' });
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ month: last, user_id: 'u-2' });
    expect(within(view).getByRole('table', { name: 'Line items of INV-000001' })).toHaveTextContent('0.552');
    expect(view).toHaveTextContent('Total');
  });

  it('downloads an invoice as CSV with the exact amounts', async () => {
    stub();
    URL.createObjectURL = () => 'blob:x';
    URL.revokeObjectURL = () => {};
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    renderPage(<BillingPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'INV-000001' }));
    await userEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    expect(clicked).toEqual(['INV-000001.csv']);
  });

  it('says when an invoice has no line items', async () => {
    const empty = { ...invoice, line_items: [], subtotal: '0.00', total: '0.00', exact_total: '0', rounding_residue: '0' };
    stub({ 'GET /billing/invoices': { body: { data: [empty], total: 1 } }, 'GET /billing/invoices/inv-1': { body: empty } });
    renderPage(<BillingPage />);
    await userEvent.click(await screen.findByRole('button', { name: 'INV-000001' }));
    const view = screen.getByRole('dialog', { name: 'Invoice INV-000001' });
    expect(within(view).getByText(/^No line items/)).toBeInTheDocument();
    expect(within(view).queryByRole('table')).toBeNull();
  });

  it('offers no invoice issuing to a role without billing.invoice', async () => {
    stub();
    renderPage(<BillingPage />, { me: makeMe('manager', { 'billing.read': 'tenant', 'billing.invoice': 'none', 'users.read': 'tenant' }) });
    await screen.findByText('INV-000001');
    expect(screen.queryByRole('button', { name: 'Issue invoice' })).toBeNull();
  });

  it('says what failed when the summary does not load', async () => {
    stub({ 'GET /billing/summary': { status: 500, body: { error: { message: 'billing store down', type: 'server_error', code: null } } } });
    renderPage(<BillingPage />);
    expect(await screen.findByText('billing store down')).toBeInTheDocument();
  });
});

describe('invoiceCSV', () => {
  it('writes exact amounts, quotes commas and quotes, and defuses formulas', () => {
    const csv = invoiceCSV(invoice).split('\r\n');
    expect(csv[0]).toBe('number,kind,description,provider,model,quantity,unit,unit_price,amount,currency');
    expect(csv[1]).toBe('INV-000001,seats,"Seats, ""active"" users",,,3,user-month,25.00,75.00,EUR');
    expect(csv[2]).toBe("INV-000001,output,'=gpt-4o-mini output,openai,gpt-4o-mini,0.5,1M tokens,0.552,0.28,EUR");
    expect(csv[5]).toBe('INV-000001,total,,,,,,,87.35,EUR');
  });

  it('names the interval as a percentage', () => {
    expect(intervalLabel('0.8')).toBe('80 %');
    expect(intervalLabel('80')).toBe('80 %');
    expect(intervalLabel('80 %')).toBe('80 %');
  });

  it('moves months across years', () => {
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-12', 1)).toBe('2027-01');
  });
});
