// What each role may do, read from the admin API's own OpenAPI document
// (x-permission and x-roles on every operation): the server's permission
// table, not a copy of it.
import { useQuery } from '@tanstack/react-query';
import { raw, PREFIX } from '../api/client';
import { PERMISSIONS, type Grant, type Permission } from './permissions';

export const ROLES = ['admin', 'manager', 'user', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
export type RoleMatrix = Partial<Record<Permission, Record<Role, Grant>>>;

type Doc = { paths: Record<string, Record<string, { 'x-permission'?: string; 'x-roles'?: Record<Role, Grant> }>> };

export function roleMatrix(doc: Doc): RoleMatrix {
  const m: RoleMatrix = {};
  for (const ops of Object.values(doc.paths)) {
    for (const op of Object.values(ops)) {
      const p = op['x-permission'] as Permission | undefined;
      if (p && op['x-roles'] && (PERMISSIONS as readonly string[]).includes(p)) m[p] = op['x-roles'];
    }
  }
  return m;
}

export function useRoleMatrix() {
  return useQuery({
    queryKey: ['openapi', 'roles'],
    queryFn: async () => roleMatrix((await (await raw('GET', PREFIX + '/openapi.json')).json()) as Doc),
    staleTime: Infinity,
  });
}
