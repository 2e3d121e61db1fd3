package tenantdb

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/secretbox"
	"github.com/aigw/aigw/internal/store"
)

// SSOConfig is a tenant's single sign-on (OIDC) configuration.
type SSOConfig struct {
	ID, TenantID string
	// DisplayName labels the sign-in button ("Acme Entra ID").
	DisplayName string
	// IssuerURL and ClientID identify the provider and aigw's registration.
	IssuerURL, ClientID string
	// ClientSecret is the sealed client secret; nil for a public client.
	ClientSecret *secretbox.Sealed
	// Scopes are requested at sign-in ("openid" among them).
	Scopes []string
	// AllowedDomains are the e-mail domains that may sign in (lower case);
	// empty allows any.
	AllowedDomains []string
	// RoleClaim names the ID token claim that holds the user's groups.
	RoleClaim string
	// RoleMapping maps a group to one of the four roles.
	RoleMapping map[string]string
	// DefaultRole is the role of a user no mapped group names.
	DefaultRole string
	// SyncRole sets the role from the groups at every sign-in (when the
	// mapping has entries), not only at creation.
	SyncRole bool
	// Enabled offers SSO; SSOOnly refuses password sign-in to the tenant.
	Enabled, SSOOnly bool
	// CreatedAt and UpdatedAt are the row's times.
	CreatedAt, UpdatedAt time.Time
}

// Bounds of a configuration.
const (
	maxScopes   = 20
	maxDomains  = 50
	maxMappings = 100
)

var (
	scopeToken  = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]{1,100}$`)
	domainShape = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// Validate checks c's fields but the issuer URL (the admin API checks it
// against its fetch policy), naming the offending field as the admin API's
// JSON does. It lower-cases the domains and sorts and deduplicates lists.
func (c *SSOConfig) Validate() error {
	if utf8.RuneCountInString(c.DisplayName) > 100 || strings.ContainsFunc(c.DisplayName, isControl) {
		return &store.FieldError{Field: "display_name", Reason: "at most 100 characters, no control characters"}
	}
	if c.ClientID == "" || len(c.ClientID) > 255 || strings.ContainsFunc(c.ClientID, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return &store.FieldError{Field: "client_id", Reason: "want 1 to 255 printable characters without spaces"}
	}
	if !slices.Contains(c.Scopes, "openid") || len(c.Scopes) > maxScopes {
		return &store.FieldError{Field: "scopes", Reason: fmt.Sprintf("want \"openid\" and at most %d scopes", maxScopes)}
	}
	for _, s := range c.Scopes {
		if !scopeToken.MatchString(s) {
			return &store.FieldError{Field: "scopes", Reason: fmt.Sprintf("%q is not a scope token", s)}
		}
	}
	if len(c.AllowedDomains) > maxDomains {
		return &store.FieldError{Field: "allowed_domains", Reason: fmt.Sprintf("at most %d domains", maxDomains)}
	}
	for i, d := range c.AllowedDomains {
		c.AllowedDomains[i] = strings.ToLower(strings.TrimSpace(d))
		if len(c.AllowedDomains[i]) > 253 || !domainShape.MatchString(c.AllowedDomains[i]) {
			return &store.FieldError{Field: "allowed_domains", Reason: fmt.Sprintf("%q is not a domain such as bank.example", d)}
		}
	}
	c.Scopes, c.AllowedDomains = sortedSet(c.Scopes, true), sortedSet(c.AllowedDomains, false)
	return c.validateRoles()
}

func (c *SSOConfig) validateRoles() error {
	if c.RoleClaim == "" || len(c.RoleClaim) > 200 || strings.ContainsFunc(c.RoleClaim, isControl) {
		return &store.FieldError{Field: "role_claim", Reason: "want a claim name or dotted path of 1 to 200 characters"}
	}
	if len(c.RoleMapping) > maxMappings {
		return &store.FieldError{Field: "role_mapping", Reason: fmt.Sprintf("at most %d groups", maxMappings)}
	}
	for g, r := range c.RoleMapping {
		if g == "" || utf8.RuneCountInString(g) > 200 || strings.ContainsFunc(g, isControl) {
			return &store.FieldError{Field: "role_mapping", Reason: "a group is 1 to 200 characters without control characters"}
		}
		if !ValidRole(r) {
			return &store.FieldError{Field: "role_mapping", Reason: fmt.Sprintf("group %q: want admin, manager, user or viewer", g)}
		}
	}
	if !ValidRole(c.DefaultRole) {
		return &store.FieldError{Field: "default_role", Reason: "want admin, manager, user or viewer"}
	}
	if c.SSOOnly && !c.Enabled {
		return &store.FieldError{Field: "sso_only", Reason: "SSO-only needs SSO enabled, or nobody could sign in"}
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// sortedSet sorts and deduplicates s; openidFirst keeps "openid" first.
func sortedSet(s []string, openidFirst bool) []string {
	out := append([]string{}, s...)
	slices.SortFunc(out, func(a, b string) int {
		if openidFirst && (a == "openid") != (b == "openid") {
			if a == "openid" {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	return slices.Compact(out)
}

const ssoColumns = `c.id::text, c.tenant_id::text, c.display_name, c.issuer_url, c.client_id, c.client_secret_ciphertext,
c.client_secret_nonce, c.encryption_key_id, c.scopes, c.allowed_domains, c.role_claim, c.role_mapping, c.default_role,
c.sync_role, c.enabled, c.sso_only, c.created_at, c.updated_at`

func scanSSO(row pgx.Row) (*SSOConfig, error) {
	var c SSOConfig
	var ct, nonce []byte
	var keyID string
	err := row.Scan(&c.ID, &c.TenantID, &c.DisplayName, &c.IssuerURL, &c.ClientID, &ct, &nonce, &keyID, &c.Scopes,
		&c.AllowedDomains, &c.RoleClaim, &c.RoleMapping, &c.DefaultRole, &c.SyncRole, &c.Enabled, &c.SSOOnly,
		&c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return nil, notFound(err)
	}
	if ct != nil {
		c.ClientSecret = &secretbox.Sealed{KeyID: keyID, Nonce: nonce, Ciphertext: ct}
	}
	if c.RoleMapping == nil {
		c.RoleMapping = map[string]string{}
	}
	return &c, nil
}

// SSOConfig returns the tenant's configuration, or ErrNotFound.
func (d *DB) SSOConfig(ctx context.Context) (*SSOConfig, error) {
	return scanSSO(d.pool.QueryRow(ctx, `SELECT `+ssoColumns+` FROM sso_configs c WHERE c.tenant_id = $1`, d.tenantID))
}

// secretCols are the sealed secret's three columns (NULLs for none).
func secretCols(s *secretbox.Sealed) (ct, nonce []byte, keyID string) {
	if s == nil {
		return nil, nil, ""
	}
	return s.Ciphertext, s.Nonce, s.KeyID
}

// CreateSSOConfig stores the tenant's first configuration
// (sso.config_create); a second one is a conflict.
func (d *DB) CreateSSOConfig(ctx context.Context, c SSOConfig) (*SSOConfig, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var out *SSOConfig
	ev := audit.Event{Action: "sso.config_create", ResourceType: "sso_config", Details: ssoDetails(&c)}
	err := d.change(ctx, ev, func(tx pgx.Tx, ev *audit.Event) error {
		ct, nonce, keyID := secretCols(c.ClientSecret)
		var err error
		out, err = scanSSO(tx.QueryRow(ctx, `
INSERT INTO sso_configs AS c (tenant_id, display_name, issuer_url, client_id, client_secret_ciphertext, client_secret_nonce,
  encryption_key_id, scopes, allowed_domains, role_claim, role_mapping, default_role, sync_role, enabled, sso_only)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING `+ssoColumns,
			d.tenantID, c.DisplayName, c.IssuerURL, c.ClientID, ct, nonce, keyID, c.Scopes, c.AllowedDomains, c.RoleClaim,
			c.RoleMapping, c.DefaultRole, c.SyncRole, c.Enabled, c.SSOOnly))
		if store.UniqueViolation(err, "") {
			return &store.ConflictError{Message: "the tenant has an SSO configuration already; change it with PUT"}
		}
		if err != nil {
			return err
		}
		ev.ResourceID = out.ID
		return nil
	})
	return out, err
}

// UpdateSSOConfig replaces the tenant's configuration with c
// (sso.config_update, naming what changed), or returns ErrNotFound. The
// client secret is replaced only when setSecret is true (c.ClientSecret
// nil then removes it).
func (d *DB) UpdateSSOConfig(ctx context.Context, c SSOConfig, setSecret bool) (*SSOConfig, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var out *SSOConfig
	ev := audit.Event{Action: "sso.config_update", ResourceType: "sso_config"}
	err := d.change(ctx, ev, func(tx pgx.Tx, ev *audit.Event) error {
		cur, err := scanSSO(tx.QueryRow(ctx, `SELECT `+ssoColumns+` FROM sso_configs c WHERE c.tenant_id = $1 FOR UPDATE`, d.tenantID))
		if err != nil {
			return err
		}
		if !setSecret {
			c.ClientSecret = cur.ClientSecret
		}
		ct, nonce, keyID := secretCols(c.ClientSecret)
		out, err = scanSSO(tx.QueryRow(ctx, `
UPDATE sso_configs AS c SET display_name = $2, issuer_url = $3, client_id = $4, client_secret_ciphertext = $5,
  client_secret_nonce = $6, encryption_key_id = $7, scopes = $8, allowed_domains = $9, role_claim = $10,
  role_mapping = $11, default_role = $12, sync_role = $13, enabled = $14, sso_only = $15, updated_at = now()
WHERE c.tenant_id = $1 RETURNING `+ssoColumns,
			d.tenantID, c.DisplayName, c.IssuerURL, c.ClientID, ct, nonce, keyID, c.Scopes, c.AllowedDomains, c.RoleClaim,
			c.RoleMapping, c.DefaultRole, c.SyncRole, c.Enabled, c.SSOOnly))
		if err != nil {
			return err
		}
		ev.ResourceID, ev.Details = out.ID, ssoChanges(cur, out, setSecret)
		return nil
	})
	return out, err
}

// ssoDetails is what the audit trail says of a new configuration: never
// the secret, only whether there is one.
func ssoDetails(c *SSOConfig) map[string]any {
	return map[string]any{"issuer": c.IssuerURL, "client_id": c.ClientID, "client_auth": clientAuth(c),
		"scopes": c.Scopes, "allowed_domains": c.AllowedDomains, "role_claim": c.RoleClaim,
		"mapped_groups": len(c.RoleMapping), "default_role": c.DefaultRole, "sync_role": c.SyncRole,
		"enabled": c.Enabled, "sso_only": c.SSOOnly}
}

func clientAuth(c *SSOConfig) string {
	if c.ClientSecret != nil {
		return "client_secret"
	}
	return "none (public client, PKCE)"
}

// ssoChanges names the fields that changed, with old and new values.
func ssoChanges(a, b *SSOConfig, secretSet bool) map[string]any {
	out := map[string]any{}
	for _, f := range []struct {
		name     string
		old, new any
	}{
		{"display_name", a.DisplayName, b.DisplayName}, {"issuer", a.IssuerURL, b.IssuerURL},
		{"client_id", a.ClientID, b.ClientID}, {"role_claim", a.RoleClaim, b.RoleClaim},
		{"default_role", a.DefaultRole, b.DefaultRole}, {"sync_role", a.SyncRole, b.SyncRole},
		{"enabled", a.Enabled, b.Enabled}, {"sso_only", a.SSOOnly, b.SSOOnly},
		{"scopes", strings.Join(a.Scopes, " "), strings.Join(b.Scopes, " ")},
		{"allowed_domains", strings.Join(a.AllowedDomains, " "), strings.Join(b.AllowedDomains, " ")},
	} {
		if f.old != f.new {
			out[f.name] = map[string]any{"from": f.old, "to": f.new}
		}
	}
	if !maps.Equal(a.RoleMapping, b.RoleMapping) {
		out["role_mapping"] = map[string]any{"from_groups": len(a.RoleMapping), "to_groups": len(b.RoleMapping)}
	}
	if secretSet {
		out["client_auth"] = map[string]any{"from": clientAuth(a), "to": clientAuth(b), "replaced": true}
	}
	return out
}

// SSOSecretAAD is the associated data a tenant's SSO client secret is
// sealed with: a ciphertext copied to another tenant's row does not open.
func SSOSecretAAD(tenantID string) string { return "sso_configs.client_secret:" + tenantID }

// ResealSSOSecrets seals again, with kr's current key, every SSO client
// secret that another key sealed (after a key rotation: the old key is
// among kr's retired keys), each in its own transaction with
// sso.secret_reseal on its tenant's chain. It returns how many it
// resealed; secrets it cannot open are left as they are and reported in
// the error.
func ResealSSOSecrets(ctx context.Context, st *store.Store, kr *secretbox.Keyring) (int, error) {
	rows, err := st.Pool().Query(ctx, `SELECT tenant_id::text, client_secret_ciphertext, client_secret_nonce, encryption_key_id
FROM sso_configs WHERE client_secret_ciphertext IS NOT NULL AND encryption_key_id <> $1 ORDER BY tenant_id`, kr.CurrentKeyID())
	if err != nil {
		return 0, fmt.Errorf("finding secrets to reseal: %w", err)
	}
	type sealed struct {
		tenantID string
		s        secretbox.Sealed
	}
	var todo []sealed
	for rows.Next() {
		var x sealed
		if err := rows.Scan(&x.tenantID, &x.s.Ciphertext, &x.s.Nonce, &x.s.KeyID); err != nil {
			rows.Close()
			return 0, fmt.Errorf("finding secrets to reseal: %w", err)
		}
		todo = append(todo, x)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("finding secrets to reseal: %w", err)
	}
	n, failed := 0, []string{}
	for _, x := range todo {
		if err := New(st, x.tenantID, Actor{}).resealSSOSecret(ctx, kr, x.s); err != nil {
			failed = append(failed, fmt.Sprintf("tenant %s: %v", x.tenantID, err))
			continue
		}
		n++
	}
	if len(failed) > 0 {
		return n, fmt.Errorf("%d secrets not resealed: %s", len(failed), strings.Join(failed, "; "))
	}
	return n, nil
}

func (d *DB) resealSSOSecret(ctx context.Context, kr *secretbox.Keyring, old secretbox.Sealed) error {
	plain, err := kr.Open(old, SSOSecretAAD(d.tenantID))
	if err != nil {
		return err
	}
	fresh, err := kr.Seal(plain, SSOSecretAAD(d.tenantID))
	if err != nil {
		return err
	}
	ev := audit.Event{Action: "sso.secret_reseal", ResourceType: "sso_config",
		Details: map[string]any{"from_key": old.KeyID, "to_key": fresh.KeyID}}
	return d.change(ctx, ev, func(tx pgx.Tx, ev *audit.Event) error {
		err := tx.QueryRow(ctx, `UPDATE sso_configs SET client_secret_ciphertext = $2, client_secret_nonce = $3,
  encryption_key_id = $4, updated_at = now()
WHERE tenant_id = $1 AND encryption_key_id = $5 AND client_secret_ciphertext = $6 RETURNING id::text`,
			d.tenantID, fresh.Ciphertext, fresh.Nonce, fresh.KeyID, old.KeyID, old.Ciphertext).Scan(&ev.ResourceID)
		return notFound(err) // changed meanwhile: left for the next run
	})
}
