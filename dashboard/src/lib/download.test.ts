import { describe, expect, it } from 'vitest';
import { filenameOf } from './download';

describe('filenameOf', () => {
  it('reads the name of a Content-Disposition header, or falls back', () => {
    expect(filenameOf('attachment; filename="aigw-audit-acme-20261101T000000Z.csv"', 'x.csv')).toBe('aigw-audit-acme-20261101T000000Z.csv');
    expect(filenameOf("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.csv", 'x.csv')).toBe('résumé.csv');
    expect(filenameOf(null, 'x.csv')).toBe('x.csv');
    expect(filenameOf('inline', 'x.csv')).toBe('x.csv');
  });
});
