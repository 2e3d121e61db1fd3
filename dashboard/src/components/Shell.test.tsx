import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Shell } from './Shell';
import { makeMe, renderPage } from '../test/render';

describe('Shell', () => {
  it('shows the tenant, the user and their role, and every page an admin may open', () => {
    renderPage(<Shell />, { me: makeMe('admin') });
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(nav).toHaveTextContent('Acme Bank');
    expect(within(nav).getByTestId('role')).toHaveTextContent('admin');
    for (const name of ['Overview', 'Audit logs', 'Playground', 'Models', 'API keys', 'Guardrails', 'Users', 'Billing', 'Settings']) {
      expect(within(nav).getByRole('link', { name })).toBeInTheDocument();
    }
  });

  it('hides the pages a viewer may not open', () => {
    renderPage(<Shell />, { me: makeMe('viewer', { 'usage.read': 'tenant', 'audit.read': 'tenant' }) });
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Overview' })).toBeInTheDocument();
    expect(within(nav).queryByRole('link', { name: 'API keys' })).toBeNull();
    expect(within(nav).queryByRole('link', { name: 'Users' })).toBeNull();
  });

  it('opens the drawer from the menu button and says so', async () => {
    renderPage(<Shell />);
    const menu = screen.getByRole('button', { name: 'Menu' });
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(menu);
    expect(menu).toHaveAttribute('aria-expanded', 'true');
    await userEvent.keyboard('{Escape}');
    expect(menu).toHaveAttribute('aria-expanded', 'false');
  });
});
