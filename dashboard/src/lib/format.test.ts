import { describe, expect, it } from 'vitest';
import { formatInt, formatMoney, formatPercent } from './format';
import { resolvePeriod } from './period';

describe('formatMoney', () => {
  it('formats the exact string without float rounding', () => {
    expect(formatMoney('1234.505000000000', 'USD')).toMatch(/1,234\.51/);
    // 0.1 + 0.2 style trouble never appears: the string is formatted as is.
    expect(formatMoney('0.300000000000')).toMatch(/0\.30/);
    expect(formatMoney('9007199254740993.01')).toMatch(/9,007,199,254,740,993\.01/);
  });
  it('keeps sub-cent amounts readable', () => {
    expect(formatMoney('0.000123000000')).toMatch(/0\.000123/);
    expect(formatMoney('0')).toMatch(/0\.00/);
  });
  it('shows a dash for no value', () => {
    expect(formatMoney(null)).toBe('—');
  });
});

describe('numbers', () => {
  it('groups thousands exactly', () => {
    expect(formatInt(1234567)).toBe('1,234,567');
    expect(formatPercent(1, 8)).toBe('12.5%');
  });
});

describe('resolvePeriod', () => {
  const now = new Date(2026, 2, 15, 13, 30); // 15 March 2026, local time
  it('defaults to 7 days, daily', () => {
    const p = resolvePeriod(new URLSearchParams(''), now);
    expect(p.id).toBe('7d');
    expect(new Date(p.from)).toEqual(new Date(2026, 2, 9));
    expect(p.to).toBe(now.toISOString());
    expect(p.granularity).toBe('day');
  });
  it('today is hourly from local midnight', () => {
    const p = resolvePeriod(new URLSearchParams('period=today'), now);
    expect(new Date(p.from)).toEqual(new Date(2026, 2, 15));
    expect(p.granularity).toBe('hour');
  });
  it('this month starts on the 1st', () => {
    expect(new Date(resolvePeriod(new URLSearchParams('period=month'), now).from)).toEqual(new Date(2026, 2, 1));
  });
  it('a custom range comes from the URL; a bad one falls back to 7 days', () => {
    const p = resolvePeriod(new URLSearchParams('period=custom&from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z'), now);
    expect([p.id, p.from, p.to, p.granularity]).toEqual(['custom', '2026-01-01T00:00:00.000Z', '2026-01-03T00:00:00.000Z', 'hour']);
    expect(resolvePeriod(new URLSearchParams('period=custom&from=x'), now).id).toBe('7d');
  });
});
