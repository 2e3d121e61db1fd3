// Queries more than one page reads.
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { useGrant } from './session';

/** useUserNames maps user ids to names when the role may list users (else ids stay ids). */
export function useUserNames(): Map<string, string> {
  const grant = useGrant('users.read');
  const q = useQuery({ queryKey: ['users', 'names'], queryFn: () => api.get('/users', { query: { limit: 500 } }), enabled: grant !== 'none', staleTime: 60_000 });
  const m = new Map<string, string>();
  for (const u of q.data?.data ?? []) m.set(u.id, u.name || u.email);
  return m;
}

/** useKeyNames maps API key ids to "name (prefix)". */
export function useKeyNames(): Map<string, string> {
  const grant = useGrant('keys.read');
  const q = useQuery({ queryKey: ['api-keys', 'names'], queryFn: () => api.get('/api-keys', { query: { limit: 500 } }), enabled: grant !== 'none', staleTime: 60_000 });
  const m = new Map<string, string>();
  for (const k of q.data?.data ?? []) m.set(k.id, `${k.name || 'unnamed'} (${k.prefix}…)`);
  return m;
}
