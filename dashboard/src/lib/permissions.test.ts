import doc from '../api/openapi.json';
import { expect, it } from 'vitest';
import { PERMISSIONS, PERMISSION_LABELS } from './permissions';

it('knows every permission the OpenAPI document names, and no other', () => {
  const named = new Set<string>(['session']);
  for (const ops of Object.values(doc.paths as Record<string, Record<string, { 'x-permission'?: string }>>)) {
    for (const op of Object.values(ops)) if (op['x-permission']) named.add(op['x-permission']);
  }
  expect([...PERMISSIONS].sort()).toEqual([...named].sort());
  for (const p of PERMISSIONS) expect(PERMISSION_LABELS[p]).toBeTruthy();
});
