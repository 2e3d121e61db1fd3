import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ConfirmDialog, ErrorState, Table, TextInput } from './ui';
import { ApiError } from '../api/client';

describe('ConfirmDialog', () => {
  it('names the object, confirms, and closes on Escape', async () => {
    const onConfirm = vi.fn();
    const onCancel = vi.fn();
    render(
      <ConfirmDialog title="Revoke key?" confirmLabel="Revoke" onConfirm={onConfirm} onCancel={onCancel}>
        Revoke <strong>ci-runner</strong>?
      </ConfirmDialog>,
    );
    const dialog = screen.getByRole('dialog', { name: 'Revoke key?' });
    expect(dialog).toHaveTextContent('ci-runner');
    // Focus starts inside the dialog.
    expect(dialog.contains(document.activeElement)).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Revoke' }));
    expect(onConfirm).toHaveBeenCalledOnce();
    await userEvent.keyboard('{Escape}');
    expect(onCancel).toHaveBeenCalledOnce();
  });

  it('keeps Tab inside the dialog', async () => {
    render(
      <ConfirmDialog title="Delete?" confirmLabel="Delete" onConfirm={() => {}} onCancel={() => {}}>
        x
      </ConfirmDialog>,
    );
    const cancel = screen.getByRole('button', { name: 'Cancel' });
    const del = screen.getByRole('button', { name: 'Delete' });
    expect(cancel).toHaveFocus();
    await userEvent.tab();
    expect(del).toHaveFocus();
    await userEvent.tab();
    expect(cancel).toHaveFocus();
  });
});

describe('ErrorState', () => {
  it('says what failed and retries', async () => {
    const retry = vi.fn();
    render(<ErrorState what="API keys" error={new ApiError(500, 'database unavailable')} retry={retry} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Could not load API keys.');
    expect(screen.getByRole('alert')).toHaveTextContent('database unavailable');
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(retry).toHaveBeenCalled();
  });
  it('offers no retry for a 403', () => {
    render(<ErrorState what="users" error={new ApiError(403, 'forbidden')} retry={() => {}} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Your role may not see this.');
    expect(screen.queryByRole('button')).toBeNull();
  });
});

describe('Table', () => {
  it('labels every cell with its column for the card layout', () => {
    render(<Table caption="Keys" rowKey={(r) => r.id} rows={[{ id: 'a', name: 'ci' }]} columns={[{ key: 'n', header: 'Name', cell: (r) => r.name }]} />);
    expect(screen.getByRole('table', { name: 'Keys' })).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: 'ci' })).toHaveAttribute('data-label', 'Name');
  });
});

describe('TextInput', () => {
  it('ties the label, hint and error to the control', () => {
    render(<TextInput label="Budget" hint="US dollars a month" error="want a number" />);
    const input = screen.getByLabelText('Budget');
    expect(input).toHaveAccessibleDescription('US dollars a month want a number');
    expect(input).toHaveAttribute('aria-invalid', 'true');
  });
});
