// The route table: every page, its place in the navigation and the
// permission a role needs to see it. Each page is its own chunk, loaded
// when first visited.
import type { ComponentType } from 'react';
import type { Permission } from './lib/permissions';

export interface PageRoute {
  path: string;
  label: string;
  group: 'Monitor' | 'Build' | 'Govern' | 'Settings';
  /** Shown in the navigation only when the role has this permission. */
  perm: Permission;
  load: () => Promise<{ default: ComponentType }>;
  /** Not in the navigation (reached from another page). */
  hidden?: boolean;
}

export const PAGES: PageRoute[] = [
  { path: 'overview', label: 'Overview', group: 'Monitor', perm: 'usage.read', load: () => import('./pages/Overview') },
  { path: 'requests', label: 'Requests', group: 'Monitor', perm: 'usage.read', load: () => import('./pages/Requests'), hidden: true },
  { path: 'audit', label: 'Audit logs', group: 'Monitor', perm: 'audit.read', load: () => import('./pages/Audit') },
  { path: 'playground', label: 'Playground', group: 'Build', perm: 'models.read', load: () => import('./pages/Playground') },
  { path: 'models', label: 'Models', group: 'Build', perm: 'models.read', load: () => import('./pages/Models') },
  { path: 'keys', label: 'API keys', group: 'Build', perm: 'keys.read', load: () => import('./pages/Keys') },
  { path: 'guardrails', label: 'Guardrails', group: 'Govern', perm: 'guardrails.read', load: () => import('./pages/Guardrails') },
  { path: 'users', label: 'Users', group: 'Govern', perm: 'users.read', load: () => import('./pages/Users') },
  { path: 'billing', label: 'Billing', group: 'Govern', perm: 'billing.read', load: () => import('./pages/Billing') },
  { path: 'settings', label: 'Settings', group: 'Settings', perm: 'session', load: () => import('./pages/Settings') },
];

export const GROUPS = ['Monitor', 'Build', 'Govern', 'Settings'] as const;

/** The first page a role may see, where / leads. */
export function homeFor(perms: Record<string, string>): string {
  const p = PAGES.find((r) => !r.hidden && (perms[r.perm] ?? 'none') !== 'none');
  return '/' + (p?.path ?? 'settings');
}
