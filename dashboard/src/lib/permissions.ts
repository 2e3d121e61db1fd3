// The admin API's permissions (admin-api/server/permissions.go). The grant
// each role has comes from GET /auth/me at run time: one source of truth.
export const PERMISSIONS = [
  'session', 'users.read', 'users.create', 'users.update', 'users.delete',
  'keys.read', 'keys.create', 'keys.revoke', 'usage.read',
  'audit.read', 'audit.summary', 'audit.export',
  'guardrails.read', 'guardrails.test', 'guardrails.write', 'models.read',
  'billing.read', 'billing.invoice', 'billing.write', 'sso.read', 'sso.write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];
export type Grant = 'tenant' | 'own' | 'none';

/** What each permission lets a person do, in words, for the Users page's role table. */
export const PERMISSION_LABELS: Record<Permission, string> = {
  session: 'Sign in and out',
  'users.read': 'See users',
  'users.create': 'Add users',
  'users.update': 'Change users (role, status, name)',
  'users.delete': 'Remove users',
  'keys.read': 'See API keys',
  'keys.create': 'Create API keys',
  'keys.revoke': 'Revoke API keys',
  'usage.read': 'See usage',
  'audit.read': 'Read the audit log',
  'audit.summary': 'See audit summaries',
  'audit.export': 'Export the audit log',
  'guardrails.read': 'See guardrail policies',
  'guardrails.test': 'Test texts against guardrails',
  'guardrails.write': 'Change the guardrail policy',
  'models.read': 'See the model catalog',
  'billing.read': 'See billing and invoices',
  'billing.invoice': 'Issue invoices',
  'billing.write': 'Change the pricing plan',
  'sso.read': 'See SSO configuration',
  'sso.write': 'Change SSO configuration',
};
