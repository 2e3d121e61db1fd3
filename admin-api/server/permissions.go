package server

import (
	"sort"

	"github.com/aigw/aigw/internal/store"
)

// Permission names what a route does, for the permission table. Several
// routes may share one (every audit read is audit.read).
type Permission string

// Permissions. PermPublic routes need no session; every other route needs
// one and the caller's role must have a grant for its permission.
const (
	PermPublic         Permission = ""
	PermSession        Permission = "session"          // sign out, who am I
	PermUsersRead      Permission = "users.read"       // list and read users
	PermUsersCreate    Permission = "users.create"     // add users
	PermUsersUpdate    Permission = "users.update"     // change name, role, status, password
	PermUsersDelete    Permission = "users.delete"     // remove users (and revoke their keys)
	PermKeysRead       Permission = "keys.read"        // list and read API keys
	PermKeysCreate     Permission = "keys.create"      // create API keys
	PermKeysRevoke     Permission = "keys.revoke"      // revoke API keys
	PermUsageRead      Permission = "usage.read"       // usage dashboard, a user's usage
	PermAuditRead      Permission = "audit.read"       // audit logs, security events, chain verification
	PermAuditSummary   Permission = "audit.summary"    // counts by action and day
	PermAuditExport    Permission = "audit.export"     // export the audit trail
	PermGuardrailsRead Permission = "guardrails.read"  // detectors, templates, the tenant's policy
	PermGuardrailsTest Permission = "guardrails.test"  // screen a text with a policy
	PermGuardrailsEdit Permission = "guardrails.write" // set the tenant's policy
	PermModelsRead     Permission = "models.read"      // the model catalog
	PermBillingRead    Permission = "billing.read"     // billing summaries, invoices, exports
	PermBillingIssue   Permission = "billing.invoice"  // issue invoices
	PermBillingWrite   Permission = "billing.write"    // pricing plans, credit notes
	PermSSORead        Permission = "sso.read"         // the tenant's SSO configuration
	PermSSOWrite       Permission = "sso.write"        // create, change SSO configuration
)

// Grant is how much of a permission a role has.
type Grant string

const (
	// GrantNone refuses the route (403).
	GrantNone Grant = "none"
	// GrantOwn allows the route on the caller's own rows only: their
	// profile, their keys, their usage. Other rows are not found.
	GrantOwn Grant = "own"
	// GrantTenant allows the route on every row of the caller's tenant.
	GrantTenant Grant = "tenant"
)

// The permission table: the one place that says which role may do what.
// The README's matrix is this table; TestEveryRouteWithEveryRole walks it.
// Beyond it one rule holds, in canManage: only admins manage admins.
var permissionTable = []struct {
	perm                         Permission
	admin, manager, user, viewer Grant
}{
	{PermSession, GrantOwn, GrantOwn, GrantOwn, GrantOwn},
	{PermUsersRead, GrantTenant, GrantTenant, GrantOwn, GrantNone},
	{PermUsersCreate, GrantTenant, GrantTenant, GrantNone, GrantNone},
	{PermUsersUpdate, GrantTenant, GrantTenant, GrantOwn, GrantNone},
	{PermUsersDelete, GrantTenant, GrantTenant, GrantNone, GrantNone},
	{PermKeysRead, GrantTenant, GrantTenant, GrantOwn, GrantNone},
	{PermKeysCreate, GrantTenant, GrantTenant, GrantOwn, GrantNone},
	{PermKeysRevoke, GrantTenant, GrantTenant, GrantOwn, GrantNone},
	{PermUsageRead, GrantTenant, GrantTenant, GrantOwn, GrantTenant},
	{PermAuditRead, GrantTenant, GrantNone, GrantNone, GrantNone},
	{PermAuditSummary, GrantTenant, GrantNone, GrantNone, GrantTenant},
	{PermAuditExport, GrantTenant, GrantNone, GrantNone, GrantNone},
	{PermGuardrailsRead, GrantTenant, GrantTenant, GrantNone, GrantNone},
	{PermGuardrailsTest, GrantTenant, GrantTenant, GrantNone, GrantNone},
	{PermGuardrailsEdit, GrantTenant, GrantNone, GrantNone, GrantNone},
	{PermModelsRead, GrantTenant, GrantTenant, GrantTenant, GrantTenant},
	{PermBillingRead, GrantTenant, GrantTenant, GrantNone, GrantNone},
	{PermBillingIssue, GrantTenant, GrantTenant, GrantNone, GrantNone},
	{PermBillingWrite, GrantTenant, GrantNone, GrantNone, GrantNone},
	{PermSSORead, GrantTenant, GrantNone, GrantNone, GrantNone},
	{PermSSOWrite, GrantTenant, GrantNone, GrantNone, GrantNone},
}

// Roles lists the roles, most powerful first.
var Roles = []string{store.RoleAdmin, store.RoleManager, store.RoleUser, store.RoleViewer}

// GrantOf returns what role may do with perm; unknown roles and
// permissions get GrantNone.
func GrantOf(role string, perm Permission) Grant {
	for _, row := range permissionTable {
		if row.perm != perm {
			continue
		}
		switch role {
		case store.RoleAdmin:
			return row.admin
		case store.RoleManager:
			return row.manager
		case store.RoleUser:
			return row.user
		case store.RoleViewer:
			return row.viewer
		}
	}
	return GrantNone
}

// RolePermissions answers "what may this role do": every permission with
// the role's grant, GrantNone included, so a client (the dashboard) shows
// exactly what the server will allow. GET /auth/me serves it.
func RolePermissions(role string) map[Permission]Grant {
	out := make(map[Permission]Grant, len(permissionTable))
	for _, row := range permissionTable {
		out[row.perm] = GrantOf(role, row.perm)
	}
	return out
}

// Permissions returns every permission of the table, sorted.
func Permissions() []Permission {
	out := make([]Permission, 0, len(permissionTable))
	for _, row := range permissionTable {
		out = append(out, row.perm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// canManage reports whether a caller of role caller may create, change or
// remove a user of role target, or give a user role target: managers manage
// everyone below admin, admins everyone.
func canManage(caller, target string) bool {
	return caller == store.RoleAdmin || target != store.RoleAdmin
}
