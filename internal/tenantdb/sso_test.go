package tenantdb_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aigw/aigw/internal/secretbox"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
	"github.com/aigw/aigw/internal/testdb"
)

func ssoConfig() tenantdb.SSOConfig {
	return tenantdb.SSOConfig{DisplayName: "Acme Entra ID", IssuerURL: "https://login.acme.example/v2.0", ClientID: "aigw",
		Scopes: []string{"profile", "email", "openid", "email"}, AllowedDomains: []string{"Acme.example", "acme.co.uk"},
		RoleClaim: "groups", RoleMapping: map[string]string{"aigw-admins": "admin", "aigw-users": "user"},
		DefaultRole: "viewer", SyncRole: true, Enabled: true,
		ClientSecret: &secretbox.Sealed{KeyID: "k1", Nonce: make([]byte, 12), Ciphertext: []byte("sealed-bytes")}}
}

func TestSSOConfigIsCreatedOnceUpdatedAndAuditedWithoutTheSecret(t *testing.T) {
	ctx := context.Background()
	s, sc, _ := newTenantStore(t)
	if _, err := sc.SSOConfig(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no configuration yet: %v", err)
	}
	c, err := sc.CreateSSOConfig(ctx, ssoConfig())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Scopes, " ") != "openid email profile" || strings.Join(c.AllowedDomains, " ") != "acme.co.uk acme.example" ||
		c.ClientSecret == nil || string(c.ClientSecret.Ciphertext) != "sealed-bytes" || c.RoleMapping["aigw-admins"] != "admin" {
		t.Errorf("created %+v", c)
	}
	if _, err := sc.CreateSSOConfig(ctx, ssoConfig()); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second configuration: %v", err)
	}
	upd := ssoConfig()
	upd.ClientSecret, upd.SSOOnly, upd.ClientID = nil, true, "aigw-2"
	got, err := sc.UpdateSSOConfig(ctx, upd, false) // keep the secret
	if err != nil || got.ClientSecret == nil || !got.SSOOnly || got.ClientID != "aigw-2" {
		t.Fatalf("update keeping the secret: %+v %v", got, err)
	}
	if got, err = sc.UpdateSSOConfig(ctx, upd, true); err != nil || got.ClientSecret != nil {
		t.Fatalf("update removing the secret: %+v %v", got, err)
	}
	if n := count(t, s, `SELECT count(*) FROM audit_logs WHERE action IN ('sso.config_create', 'sso.config_update')`); n != 3 {
		t.Errorf("%d configuration events, want 3", n)
	}
	if n := count(t, s, `SELECT count(*) FROM audit_logs WHERE details::text LIKE '%sealed-bytes%'`); n != 0 {
		t.Error("the audit trail holds the sealed secret")
	}
	if n := count(t, s, `SELECT count(*) FROM audit_logs WHERE action = 'sso.config_update'
AND details->'client_id'->>'to' = 'aigw-2' AND details->'sso_only'->>'to' = 'true'`); n != 1 {
		t.Error("the update's event does not name what changed")
	}
	other := tenantdb.New(s, "00000000-0000-4000-8000-000000000000", tenantdb.Actor{})
	if _, err := other.UpdateSSOConfig(ctx, upd, false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update without a configuration: %v", err)
	}
}

func TestSSOConfigValidationNamesTheField(t *testing.T) {
	_, sc, _ := newTenantStore(t)
	for field, edit := range map[string]func(c *tenantdb.SSOConfig){
		"client_id":       func(c *tenantdb.SSOConfig) { c.ClientID = "" },
		"scopes":          func(c *tenantdb.SSOConfig) { c.Scopes = []string{"email"} },
		"allowed_domains": func(c *tenantdb.SSOConfig) { c.AllowedDomains = []string{"*.acme.example"} },
		"role_claim":      func(c *tenantdb.SSOConfig) { c.RoleClaim = "" },
		"role_mapping":    func(c *tenantdb.SSOConfig) { c.RoleMapping = map[string]string{"g": "superuser"} },
		"default_role":    func(c *tenantdb.SSOConfig) { c.DefaultRole = "root" },
		"sso_only":        func(c *tenantdb.SSOConfig) { c.Enabled, c.SSOOnly = false, true },
		"display_name":    func(c *tenantdb.SSOConfig) { c.DisplayName = "bad\nname" },
	} {
		c := ssoConfig()
		edit(&c)
		var fe *store.FieldError
		if _, err := sc.CreateSSOConfig(context.Background(), c); !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("bad %s: %v", field, err)
		}
	}
}

func TestSSOProvidersAreFoundBySlugOrDomainOnly(t *testing.T) {
	ctx := context.Background()
	s, sc, _ := newTenantStore(t)
	sc.CreateSSOConfig(ctx, ssoConfig()) //nolint:errcheck
	acc := tenantdb.NewAccounts(s)
	for _, tc := range []struct{ slug, domain string }{{"acme", ""}, {"", "acme.example"}, {"", "acme.co.uk"}} {
		ps, err := acc.SSOProviders(ctx, tc.slug, tc.domain)
		if err != nil || len(ps) != 1 || ps[0].TenantSlug != "acme" || ps[0].DisplayName != "Acme Entra ID" {
			t.Errorf("%+v: %+v %v", tc, ps, err)
		}
	}
	for _, tc := range []struct{ slug, domain string }{{"nope", ""}, {"", "evil.example"}, {"", ""}, {"", "example"}} {
		if ps, err := acc.SSOProviders(ctx, tc.slug, tc.domain); err != nil || len(ps) != 0 {
			t.Errorf("%+v: %+v %v", tc, ps, err)
		}
	}
	disabled := ssoConfig()
	disabled.Enabled = false
	sc.UpdateSSOConfig(ctx, disabled, false) //nolint:errcheck
	if ps, _ := acc.SSOProviders(ctx, "acme", ""); len(ps) != 0 {
		t.Errorf("a disabled provider is offered: %+v", ps)
	}
}

func ssoIdentity(sub, email, role string) tenantdb.SSOIdentity {
	return tenantdb.SSOIdentity{Issuer: "https://login.acme.example/v2.0", Subject: sub, Email: email, Name: "Jane\x07 Doe", Role: role, SyncRole: true}
}

func TestSSOSignInCreatesLinksAndSyncsRoles(t *testing.T) {
	ctx := context.Background()
	s, sc, admin := newTenantStore(t)
	// Just in time: a new user with the mapped role.
	r, err := sc.SSOSignIn(ctx, ssoIdentity("sub-1", "jane@acme.example", "manager"))
	if err != nil || !r.Created || r.User.Role != "manager" || r.User.DisplayName != "Jane Doe" || !r.User.SSO || r.User.HasPassword {
		t.Fatalf("JIT: %+v %v", r, err)
	}
	// Found by subject, whatever the e-mail now; the role follows the groups.
	r2, err := sc.SSOSignIn(ctx, ssoIdentity("sub-1", "renamed@acme.example", "viewer"))
	if err != nil || r2.Created || r2.Linked || r2.User.ID != r.User.ID || r2.User.Role != "viewer" {
		t.Fatalf("second sign-in: %+v %v", r2, err)
	}
	// Without sync the role stays.
	noSync := ssoIdentity("sub-1", "jane@acme.example", "admin")
	noSync.SyncRole = false
	if r3, _ := sc.SSOSignIn(ctx, noSync); r3.User.Role != "viewer" {
		t.Errorf("role changed without sync: %s", r3.User.Role)
	}
	// An existing password user is linked by e-mail (case-insensitively).
	r4, err := sc.SSOSignIn(ctx, ssoIdentity("sub-admin", "A@ACME.example", "admin"))
	if err != nil || !r4.Linked || r4.User.ID != admin.ID {
		t.Fatalf("link: %+v %v", r4, err)
	}
	// Another subject of the same provider claiming a linked e-mail is refused.
	if _, err := sc.SSOSignIn(ctx, ssoIdentity("sub-other", "a@acme.example", "admin")); !errors.Is(err, tenantdb.ErrSSOConflict) {
		t.Errorf("second subject for one user: %v", err)
	}
	// The last active admin is not demoted by the groups.
	r5, err := sc.SSOSignIn(ctx, ssoIdentity("sub-admin", "a@acme.example", "user"))
	if err != nil || r5.User.Role != "admin" {
		t.Errorf("last admin demoted: %+v %v", r5, err)
	}
	for action, want := range map[string]int{"sso.login": 5, "user.create": 2, "user.sso_link": 1, "user.update": 1, "user.sso_role_kept": 1} {
		if n := count(t, s, `SELECT count(*) FROM audit_logs WHERE action = $1`, action); n != want {
			t.Errorf("%d %s events, want %d", n, action, want)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM audit_logs WHERE action = 'sso.login' AND actor_type = 'user' AND actor_id = $1`, r.User.ID); n != 3 {
		t.Errorf("%d sso.login events by the user, want 3", n)
	}
}

func TestSSOSignInRefusesSuspendedUsers(t *testing.T) {
	ctx := context.Background()
	_, sc, _ := newTenantStore(t)
	r, _ := sc.SSOSignIn(ctx, ssoIdentity("sub-1", "jane@acme.example", "user"))
	suspended := tenantdb.StatusSuspended
	if _, err := sc.UpdateUser(ctx, r.User.ID, tenantdb.UserPatch{Status: &suspended}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.SSOSignIn(ctx, ssoIdentity("sub-1", "jane@acme.example", "user")); !errors.Is(err, tenantdb.ErrSSOSuspended) {
		t.Errorf("by subject: %v", err)
	}
	if _, err := sc.SSOSignIn(ctx, ssoIdentity("sub-2", "jane@acme.example", "user")); !errors.Is(err, tenantdb.ErrSSOSuspended) {
		t.Errorf("by e-mail: %v", err)
	}
}

func TestPasswordRefusedFollowsSSOOnly(t *testing.T) {
	ctx := context.Background()
	s, sc, _ := newTenantStore(t)
	acc := tenantdb.NewAccounts(s)
	if refused, _ := acc.PasswordRefused(ctx, sc.TenantID()); refused {
		t.Error("refused without a configuration")
	}
	c := ssoConfig()
	c.SSOOnly = true
	sc.CreateSSOConfig(ctx, c) //nolint:errcheck
	if refused, _ := acc.PasswordRefused(ctx, sc.TenantID()); !refused {
		t.Error("not refused with SSO-only")
	}
}

func TestResealMovesSecretsToTheCurrentKey(t *testing.T) {
	ctx := context.Background()
	s := store.New(testdb.New(t))
	oldKey := secretbox.Key{ID: "old", Secret: []byte("0123456789abcdef0123456789abcdef")}
	newKey := secretbox.Key{ID: "new", Secret: []byte("fedcba9876543210fedcba9876543210")}
	lost := secretbox.Key{ID: "lost", Secret: []byte("ffffffffffffffffffffffffffffffff")}
	before, _ := secretbox.NewKeyring(oldKey)
	lostRing, _ := secretbox.NewKeyring(lost)
	var tenants []string
	for i, slug := range []string{"acme", "bank", "gone"} {
		tn, err := s.CreateTenant(ctx, slug, slug)
		if err != nil {
			t.Fatal(err)
		}
		ring := before
		if i == 2 {
			ring = lostRing // sealed with a key nobody has any more
		}
		sealed, _ := ring.Seal([]byte("secret-of-"+slug), tenantdb.SSOSecretAAD(tn.ID))
		c := ssoConfig()
		c.ClientSecret = &sealed
		if _, err := tenantdb.New(s, tn.ID, tenantdb.Actor{}).CreateSSOConfig(ctx, c); err != nil {
			t.Fatal(err)
		}
		tenants = append(tenants, tn.ID)
	}
	after, _ := secretbox.NewKeyring(newKey, oldKey)
	n, err := tenantdb.ResealSSOSecrets(ctx, s, after)
	if n != 2 || err == nil || !strings.Contains(err.Error(), "1 secrets not resealed") || !strings.Contains(err.Error(), tenants[2]) {
		t.Fatalf("reseal: %d, %v", n, err)
	}
	onlyNew, _ := secretbox.NewKeyring(newKey)
	for i, id := range tenants[:2] {
		c, _ := tenantdb.New(s, id, tenantdb.Actor{}).SSOConfig(ctx)
		got, err := onlyNew.Open(*c.ClientSecret, tenantdb.SSOSecretAAD(id))
		if err != nil || string(got) != "secret-of-"+[]string{"acme", "bank"}[i] || c.ClientSecret.KeyID != "new" {
			t.Errorf("tenant %d after reseal: %q %v", i, got, err)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM audit_logs WHERE action = 'sso.secret_reseal' AND details->>'to_key' = 'new'`); n != 2 {
		t.Errorf("%d reseal events, want 2", n)
	}
	if n, err := tenantdb.ResealSSOSecrets(ctx, s, after); n != 0 || err == nil {
		t.Errorf("second run: %d %v (only the lost one is left)", n, err)
	}
}
