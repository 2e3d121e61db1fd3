package tenantdb_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
	"github.com/aigw/aigw/internal/testdb"
)

func newTenantStore(t *testing.T) (*store.Store, *tenantdb.DB, *tenantdb.UserInfo) {
	t.Helper()
	s := store.New(testdb.New(t))
	tn, err := s.CreateTenant(context.Background(), "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	sc := tenantdb.New(s, tn.ID, tenantdb.Actor{ClientIP: "192.0.2.10", RequestID: "req-1"})
	admin, err := sc.CreateUser(context.Background(), tenantdb.NewUser{Email: "a@acme.example", DisplayName: "A", Role: store.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	return s, sc, admin
}

func count(t *testing.T, s *store.Store, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := s.Pool().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAChangeRollsBackWhenItsAuditEventFails: a change is never stored
// without its event.
func TestAChangeRollsBackWhenItsAuditEventFails(t *testing.T) {
	ctx := context.Background()
	s, sc, _ := newTenantStore(t)
	if _, err := s.Pool().Exec(ctx, `
CREATE FUNCTION refuse_user_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.action = 'user.update' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$;
CREATE TRIGGER refuse BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION refuse_user_update();`); err != nil {
		t.Fatal(err)
	}
	u, err := sc.CreateUser(ctx, tenantdb.NewUser{Email: "b@acme.example", DisplayName: "B", Role: store.RoleUser})
	if err != nil {
		t.Fatal(err)
	}
	role := store.RoleManager
	if _, err := sc.UpdateUser(ctx, u.ID, tenantdb.UserPatch{Role: &role}); err == nil {
		t.Fatal("update succeeded although its audit event failed")
	}
	got, _ := sc.GetUser(ctx, u.ID)
	if got.Role != store.RoleUser {
		t.Errorf("role %s after a failed audit, want the change rolled back", got.Role)
	}
	if n := count(t, s, `SELECT count(*) FROM audit_logs WHERE action = 'user.create' AND client_ip <> '' AND request_id = 'req-1'`); n != 2 {
		t.Errorf("%d user.create events with the actor's address and request, want 2", n)
	}
}

func TestLastActiveAdminStays(t *testing.T) {
	ctx := context.Background()
	_, sc, admin := newTenantStore(t)
	user, suspended := store.RoleUser, tenantdb.StatusSuspended
	for name, p := range map[string]tenantdb.UserPatch{"demote": {Role: &user}, "suspend": {Status: &suspended}} {
		if _, err := sc.UpdateUser(ctx, admin.ID, p); !errors.Is(err, store.ErrConflict) {
			t.Errorf("%s the last admin: err %v, want a conflict", name, err)
		}
	}
	if _, err := sc.DeleteUser(ctx, admin.ID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("delete the last admin: err %v, want a conflict", err)
	}
	second, err := sc.CreateUser(ctx, tenantdb.NewUser{Email: "c@acme.example", DisplayName: "C", Role: store.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.UpdateUser(ctx, admin.ID, tenantdb.UserPatch{Role: &user}); err != nil {
		t.Errorf("demote one of two admins: %v", err)
	}
	if _, err := sc.DeleteUser(ctx, second.ID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("delete the remaining admin: err %v, want a conflict", err)
	}
}

func TestConcurrentDemotionsKeepOneAdmin(t *testing.T) {
	ctx := context.Background()
	_, sc, first := newTenantStore(t)
	second, err := sc.CreateUser(ctx, tenantdb.NewUser{Email: "c@acme.example", DisplayName: "C", Role: store.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	viewer := store.RoleViewer
	errs := make(chan error, 2)
	for _, id := range []string{first.ID, second.ID} {
		go func() { _, err := sc.UpdateUser(ctx, id, tenantdb.UserPatch{Role: &viewer}); errs <- err }()
	}
	e1, e2 := <-errs, <-errs
	if (e1 == nil) == (e2 == nil) {
		t.Fatalf("both or neither demotion succeeded: %v, %v", e1, e2)
	}
}

func TestOwnerScopeSeesOnlyTheOwner(t *testing.T) {
	ctx := context.Background()
	_, sc, admin := newTenantStore(t)
	u, err := sc.CreateUser(ctx, tenantdb.NewUser{Email: "u@acme.example", DisplayName: "U", Role: store.RoleUser})
	if err != nil {
		t.Fatal(err)
	}
	own := sc.Owner(u.ID)
	list, total, err := own.ListUsers(ctx, tenantdb.Page{Limit: 10})
	if err != nil || total != 1 || len(list) != 1 || list[0].ID != u.ID {
		t.Fatalf("owner's list = %v (%d), %v", list, total, err)
	}
	if _, err := own.GetUser(ctx, admin.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("owner reading another user: %v", err)
	}
}

func TestDuplicateEmailIsAConflictCaseInsensitively(t *testing.T) {
	_, sc, _ := newTenantStore(t)
	_, err := sc.CreateUser(context.Background(), tenantdb.NewUser{Email: "A@ACME.example", DisplayName: "A2", Role: store.RoleUser})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate e-mail: %v", err)
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{"Acme Bank & Trust": "acme-bank-trust", "  ": "tenant", "Ünïcode Ltd.": "n-code-ltd",
		"a--b": "a-b", "X123456789012345678901234567890123456789012345": "x123456789012345678901234567890123456789"} {
		if got := tenantdb.Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}
