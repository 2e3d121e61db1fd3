package store

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"time"

	"github.com/aigw/aigw/internal/apikey"
	"github.com/aigw/aigw/internal/money"
)

// Limits are per-minute, concurrency and monthly budget limits of a key, user
// or tenant as the database holds them. Zero fields are unset (the gateway's
// defaults apply); HasBudget tells a budget of zero from no budget.
type Limits struct {
	RPM, TPM, Concurrency int
	Budget                money.Pico
	HasBudget             bool
}

// KeyRecord is what the gateway needs to know about a presented API key: who
// it belongs to and what it may do. It joins the key with its tenant and user.
type KeyRecord struct {
	ID            string
	TenantID      string
	TenantSlug    string
	UserID        string // empty for a tenant-wide key
	Name          string
	Prefix        string
	AllowedModels []string
	RPMLimit      int // 0: no per-key limit
	TPMLimit      int
	MaxConcurrent int
	ExpiresAt     time.Time // zero: never
	RevokedAt     time.Time // zero: not revoked
	TenantActive  bool
	UserActive    bool // true for a tenant-wide key
	// Budget is the key's monthly budget (HasBudget false: none); the other
	// key limits are the fields above.
	Budget    money.Pico
	HasBudget bool
	// TenantLimits and UserLimits override the gateway's tenant and user defaults.
	TenantLimits, UserLimits Limits
	// Hash is the key's stored hash, so a cache can be invalidated by it.
	Hash apikey.Hash
}

// KeyLimits returns the key's own limits.
func (k *KeyRecord) KeyLimits() Limits {
	return Limits{RPM: k.RPMLimit, TPM: k.TPMLimit, Concurrency: k.MaxConcurrent, Budget: k.Budget, HasBudget: k.HasBudget}
}

// Usable reports whether the key may be used at now, and if not why (for logs,
// never for the client).
func (k *KeyRecord) Usable(now time.Time) (bool, string) {
	switch {
	case !k.RevokedAt.IsZero():
		return false, "revoked"
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		return false, "expired"
	case !k.TenantActive:
		return false, "tenant suspended"
	case !k.UserActive:
		return false, "user suspended"
	}
	return true, ""
}

// AllowsModel reports whether the key may use the model with the given id (or
// alias): AllowedModels are path.Match globs such as "gpt-4o*"; an empty list
// allows every model.
func (k *KeyRecord) AllowsModel(ids ...string) bool {
	if len(k.AllowedModels) == 0 {
		return true
	}
	for _, g := range k.AllowedModels {
		for _, id := range ids {
			if ok, _ := path.Match(g, id); ok {
				return true
			}
		}
	}
	return false
}

// ValidModelGlob reports whether g is a well-formed model glob.
func ValidModelGlob(g string) bool {
	_, err := path.Match(g, "")
	return g != "" && err == nil
}

// picoSQL converts a numeric(18,6) USD column to picodollars, capped at the
// range of money.Pico.
func picoSQL(col string) string {
	// least() skips NULLs, so test for NULL first.
	return fmt.Sprintf("CASE WHEN %[1]s IS NULL THEN -1 ELSE (least(%[1]s, 9000000) * 1000000000000)::bigint END", col)
}

var lookupKeySQL = `
SELECT k.id::text, k.tenant_id::text, t.slug, coalesce(k.user_id::text, ''), k.name, k.key_prefix,
       k.allowed_models, coalesce(k.rpm_limit, 0), coalesce(k.tpm_limit, 0), coalesce(k.max_concurrency, 0),
       k.expires_at, k.revoked_at, t.status = 'active', coalesce(u.status = 'active', true), ` + picoSQL("k.monthly_budget_usd") + `,
       coalesce(t.rpm_limit, 0), coalesce(t.tpm_limit, 0), coalesce(t.max_concurrency, 0), ` + picoSQL("t.monthly_budget_usd") + `,
       coalesce(u.rpm_limit, 0), coalesce(u.tpm_limit, 0), coalesce(u.max_concurrency, 0), ` + picoSQL("u.monthly_budget_usd") + `
FROM api_keys k
JOIN tenants t ON t.id = k.tenant_id
LEFT JOIN users u ON u.id = k.user_id AND u.tenant_id = k.tenant_id
WHERE k.key_hash = $1`

// LookupKey finds the key stored under hash. It returns ErrNotFound for an
// unknown key; revoked and expired keys are returned, for Usable to judge.
func (s *Store) LookupKey(ctx context.Context, hash apikey.Hash) (*KeyRecord, error) {
	return lookupKey(ctx, s.pool, hash)
}

func lookupKey(ctx context.Context, q Querier, hash apikey.Hash) (*KeyRecord, error) {
	r := KeyRecord{Hash: hash}
	var expires, revoked *time.Time
	var kb, tb, ub int64
	tl, ul := &r.TenantLimits, &r.UserLimits
	err := q.QueryRow(ctx, lookupKeySQL, hash[:]).Scan(&r.ID, &r.TenantID, &r.TenantSlug, &r.UserID, &r.Name, &r.Prefix,
		&r.AllowedModels, &r.RPMLimit, &r.TPMLimit, &r.MaxConcurrent, &expires, &revoked, &r.TenantActive, &r.UserActive, &kb,
		&tl.RPM, &tl.TPM, &tl.Concurrency, &tb, &ul.RPM, &ul.TPM, &ul.Concurrency, &ub)
	if err != nil {
		return nil, notFound(err)
	}
	if expires != nil {
		r.ExpiresAt = *expires
	}
	if revoked != nil {
		r.RevokedAt = *revoked
	}
	r.Budget, r.HasBudget = money.Pico(max(kb, 0)), kb >= 0
	tl.Budget, tl.HasBudget = money.Pico(max(tb, 0)), tb >= 0
	ul.Budget, ul.HasBudget = money.Pico(max(ub, 0)), ub >= 0
	return &r, nil
}

// NewKey describes a key to create.
type NewKey struct {
	TenantID      string
	UserID        string // optional
	Name          string
	AllowedModels []string
	ExpiresAt     time.Time // zero: never
	// RPM, TPM and Concurrency are per-key limits (0: the gateway's default).
	RPM, TPM, Concurrency int
	// BudgetUSD is a monthly budget in US dollars as a decimal string such as
	// "250" or "99.50" (at most six decimals); empty for none.
	BudgetUSD string
	// CreatedBy is the user who created the key (empty: an operator's CLI).
	CreatedBy string
}

var usdPattern = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,6})?$`)

// ValidUSD reports whether s is a dollar amount NewKey and the tenant limits accept.
func ValidUSD(s string) bool { return usdPattern.MatchString(s) }

// Validate checks nk as CreateKey will, naming the offending field (the
// admin API's JSON name; the CLI's flag has the same name) in a *FieldError.
func (nk NewKey) Validate() error {
	switch {
	case nk.RPM < 0:
		return &FieldError{Field: "rpm", Reason: "must not be negative"}
	case nk.TPM < 0:
		return &FieldError{Field: "tpm", Reason: "must not be negative"}
	case nk.Concurrency < 0:
		return &FieldError{Field: "concurrency", Reason: "must not be negative"}
	case nk.BudgetUSD != "" && !ValidUSD(nk.BudgetUSD):
		return &FieldError{Field: "budget", Reason: fmt.Sprintf("%q: want a dollar amount such as 250 or 99.50", nk.BudgetUSD)}
	case len(nk.Name) > 200:
		return &FieldError{Field: "name", Reason: "at most 200 characters"}
	}
	for _, g := range nk.AllowedModels {
		if !ValidModelGlob(g) {
			return &FieldError{Field: "models", Reason: fmt.Sprintf("%q is not a valid glob", g)}
		}
	}
	return nil
}

// CreateKey generates a key, stores its hash and returns the key itself, which
// is never retrievable again, with its record.
func (s *Store) CreateKey(ctx context.Context, nk NewKey) (string, *KeyRecord, error) {
	return CreateKeyTx(ctx, s.pool, nk)
}

// CreateKeyTx is CreateKey on q, a transaction that also records the
// change (the admin API's).
func CreateKeyTx(ctx context.Context, q Querier, nk NewKey) (string, *KeyRecord, error) {
	if err := nk.Validate(); err != nil {
		return "", nil, err
	}
	key, err := apikey.Generate()
	if err != nil {
		return "", nil, err
	}
	h := apikey.Sum(key)
	var expires *time.Time
	if !nk.ExpiresAt.IsZero() {
		expires = &nk.ExpiresAt
	}
	allowed := nk.AllowedModels
	if allowed == nil {
		allowed = []string{}
	}
	const insert = `
INSERT INTO api_keys (tenant_id, user_id, name, key_hash, key_prefix, allowed_models, expires_at,
                      rpm_limit, tpm_limit, max_concurrency, monthly_budget_usd, created_by)
VALUES ($1, nullif($2, '')::uuid, $3, $4, $5, $6, $7, nullif($8, 0), nullif($9, 0), nullif($10, 0),
        nullif($11, '')::numeric, nullif($12, '')::uuid)`
	if _, err := q.Exec(ctx, insert, nk.TenantID, nk.UserID, nk.Name, h[:], apikey.Display(key), allowed, expires,
		nk.RPM, nk.TPM, nk.Concurrency, nk.BudgetUSD, nk.CreatedBy); err != nil {
		return "", nil, fmt.Errorf("creating API key: %w", err)
	}
	rec, err := lookupKey(ctx, q, h)
	if err != nil {
		return "", nil, fmt.Errorf("reading back API key: %w", err)
	}
	return key, rec, nil
}

// RevokeKey marks the tenant's key revoked; revoking twice keeps the first time.
func (s *Store) RevokeKey(ctx context.Context, tenantID, keyID string) error {
	return RevokeKeyTx(ctx, s.pool, tenantID, keyID, "")
}

// revokeKeySQL is the one statement that revokes keys; the api_keys trigger
// tells every gateway (LISTEN aigw_auth) at commit. $3, when not empty,
// restricts it to the keys of one user.
const revokeKeySQL = `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
WHERE tenant_id = $1 AND id = $2 AND ($3 = '' OR user_id = nullif($3, '')::uuid)`

// RevokeKeyTx is RevokeKey on q; a non-empty ownerID revokes only a key of
// that user.
func RevokeKeyTx(ctx context.Context, q Querier, tenantID, keyID, ownerID string) error {
	tag, err := q.Exec(ctx, revokeKeySQL, tenantID, keyID, ownerID)
	if err != nil {
		return fmt.Errorf("revoking API key: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// ErrAmbiguous is returned when a display prefix matches more than one key.
var ErrAmbiguous = errors.New("matches more than one key")
