package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestBillingRoutesByRoleAndTenant walks every billing route with every
// role: admins and managers read and issue, only admins set the plan and
// credit invoices, users and viewers get 403 (audited). Another tenant's
// invoice is not found.
func TestBillingRoutesByRoleAndTenant(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	b := e.addTenant("beta")
	var inv InvoiceView
	e.do("POST", "/billing/invoice", a.Tokens["admin"], map[string]any{"month": e.pastMonth(1).String()}).want(http.StatusCreated).decode(&inv)
	bodies := map[string]any{
		"PUT /billing/plan":                               map[string]any{"seat_fee": "1"},
		"POST /billing/invoice":                           map[string]any{"month": e.pastMonth(2).String()},
		"POST /billing/invoices/{invoice_id}/credit-note": map[string]any{"reason": "test"},
	}
	query := map[string]string{"/billing/export/csv": "?from=2026-01-01&to=2026-01-02"}
	n := 0
	for _, rt := range Routes() {
		if !strings.HasPrefix(rt.Path, "/billing/") {
			continue
		}
		n++
		path := strings.NewReplacer("{user_id}", a.Users["user"].ID, "{invoice_id}", inv.ID).Replace(rt.Path) + query[rt.Path]
		for _, role := range Roles {
			r := e.do(rt.Method, path, a.Tokens[role], bodies[rt.Method+" "+rt.Path])
			grant := GrantOf(role, rt.Perm)
			switch {
			case grant == GrantNone && r.Status != http.StatusForbidden:
				t.Errorf("%s %s as %s = %d, want 403", rt.Method, rt.Path, role, r.Status)
			case grant != GrantNone && (r.Status < 200 || r.Status > 299):
				t.Errorf("%s %s as %s = %d %s, want success", rt.Method, rt.Path, role, r.Status, r.Body)
			}
			if (role == "admin" || role == "manager") != (grant == GrantTenant) && rt.Perm != PermBillingWrite {
				t.Errorf("%s %s: %s has grant %s", rt.Method, rt.Path, role, grant)
			}
		}
		// The other tenant's admin never reaches alpha's invoice.
		if strings.Contains(rt.Path, "{invoice_id}") {
			r := e.do(rt.Method, path, b.Tokens["admin"], bodies[rt.Method+" "+rt.Path])
			if r.Status != http.StatusNotFound {
				t.Errorf("%s %s as beta's admin = %d, want 404", rt.Method, rt.Path, r.Status)
			}
		}
	}
	if n != 10 {
		t.Errorf("%d billing routes walked, want 10", n)
	}
	if e.auditCount(a.ID, "security.permission_denied") == 0 {
		t.Error("refusals were not audited")
	}
}
