package server

import (
	"net/http"
	"time"

	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
)

func init() {
	addRoutes(
		Route{Method: "GET", Path: "/api-keys", Perm: PermKeysRead, Handle: listKeys,
			Doc: Doc{Tag: "api-keys", Summary: "List API keys (a user sees only their own)", Query: PageQuery{}, Response: List[Key]{}}},
		Route{Method: "POST", Path: "/api-keys", Perm: PermKeysCreate, Handle: createKey,
			Doc: Doc{Tag: "api-keys", Summary: "Create an API key; the key is in this answer once and never again",
				Description: "The same rules as `aigw-admin keys create`. A user's key is always their own; leave user_id out for a tenant-wide key (admins and managers).",
				Request:     createKeyRequest{}, Response: NewKey{}, Status: http.StatusCreated, Errors: []int{404}}},
		Route{Method: "GET", Path: "/api-keys/{key_id}", Perm: PermKeysRead, Handle: getKey,
			Doc: Doc{Tag: "api-keys", Summary: "Read an API key: prefix, limits, spend this month, last use", Response: Key{}, Errors: []int{404}}},
		Route{Method: "DELETE", Path: "/api-keys/{key_id}", Perm: PermKeysRevoke, Handle: revokeKey,
			Doc: Doc{Tag: "api-keys", Summary: "Revoke an API key; every gateway refuses it within a second",
				Description: "The same revocation as `aigw-admin keys revoke`. Revoking a revoked key keeps its first revocation time.",
				Response:    Key{}, Errors: []int{404}}},
	)
}

type createKeyRequest struct {
	Name        string     `json:"name,omitempty" doc:"a name to tell the key apart, at most 200 characters"`
	UserID      string     `json:"user_id,omitempty" format:"uuid" doc:"the key's user (default: a user's own; for admins and managers, a tenant-wide key)"`
	Models      []string   `json:"models,omitempty" doc:"model globs the key may use, such as gpt-4o*; empty: every model"`
	RPM         int        `json:"rpm,omitempty" doc:"requests per minute (0: the gateway's default)"`
	TPM         int        `json:"tpm,omitempty" doc:"tokens per minute (0: the gateway's default)"`
	Concurrency int        `json:"concurrency,omitempty" doc:"requests in flight (0: the gateway's default)"`
	BudgetUSD   string     `json:"budget_usd,omitempty" doc:"monthly budget in US dollars, such as 250 or 99.50"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty" doc:"when the key stops working (default: never)"`
}

// Key is an API key as administrators see it: never the key itself.
type Key struct {
	ID          string     `json:"id" format:"uuid"`
	Prefix      string     `json:"prefix" doc:"the key's first characters, to tell keys apart"`
	Name        string     `json:"name"`
	UserID      *string    `json:"user_id" format:"uuid" doc:"null for a tenant-wide key"`
	Models      []string   `json:"models"`
	RPM         int        `json:"rpm" doc:"0: the gateway's default"`
	TPM         int        `json:"tpm" doc:"0: the gateway's default"`
	Concurrency int        `json:"concurrency" doc:"0: the gateway's default"`
	BudgetUSD   *string    `json:"budget_usd" doc:"monthly budget; null: none"`
	SpentUSD    string     `json:"spent_this_month_usd" doc:"spent since the start of the month (UTC)"`
	Status      string     `json:"status" enum:"active,revoked,expired"`
	CreatedBy   *string    `json:"created_by" format:"uuid"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   *time.Time `json:"expires_at"`
	RevokedAt   *time.Time `json:"revoked_at"`
	LastUsedAt  *time.Time `json:"last_used_at"`
}

// NewKey is a created key: the key itself, shown this once, beside its record.
type NewKey struct {
	Secret string `json:"key" doc:"the API key; store it now, it is never shown again"`
	Key
}

func keyView(k *tenantdb.KeyInfo) Key {
	models := k.AllowedModels
	if models == nil {
		models = []string{}
	}
	return Key{ID: k.ID, Prefix: k.Prefix, Name: k.Name, UserID: strOrNil(k.UserID), Models: models, RPM: k.RPM, TPM: k.TPM,
		Concurrency: k.Concurrency, BudgetUSD: strOrNil(k.BudgetUSD), SpentUSD: k.SpentUSD, Status: k.Status,
		CreatedBy: strOrNil(k.CreatedBy), CreatedAt: k.CreatedAt.UTC(), ExpiresAt: timeOrNil(k.ExpiresAt),
		RevokedAt: timeOrNil(k.RevokedAt), LastUsedAt: timeOrNil(k.LastUsedAt)}
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func listKeys(c *Call) error {
	var q PageQuery
	if err := c.Query(&q); err != nil {
		return err
	}
	p, err := q.page()
	if err != nil {
		return err
	}
	list, total, err := c.Store().ListKeys(c.R.Context(), p, c.srv.now())
	if err != nil {
		return err
	}
	out := List[Key]{Data: make([]Key, 0, len(list)), Total: total}
	for i := range list {
		out.Data = append(out.Data, keyView(&list[i]))
	}
	return c.JSON(http.StatusOK, out)
}

func createKey(c *Call) error {
	var req createKeyRequest
	if err := c.Decode(&req); err != nil {
		return err
	}
	now := c.srv.now()
	nk := store.NewKey{UserID: req.UserID, Name: req.Name, AllowedModels: req.Models, RPM: req.RPM, TPM: req.TPM,
		Concurrency: req.Concurrency, BudgetUSD: req.BudgetUSD}
	if req.UserID != "" && !uuidShape.MatchString(req.UserID) {
		return badField("user_id", "want a UUID")
	}
	if req.ExpiresAt != nil {
		if !req.ExpiresAt.After(now) {
			return badField("expires_at", "must be in the future")
		}
		nk.ExpiresAt = *req.ExpiresAt
	}
	key, k, err := c.Store().CreateKey(c.R.Context(), nk, now)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, NewKey{Secret: key, Key: keyView(k)})
}

func getKey(c *Call) error {
	id, err := c.ID("key_id")
	if err != nil {
		return err
	}
	k, err := c.Store().GetKey(c.R.Context(), id, c.srv.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, keyView(k))
}

func revokeKey(c *Call) error {
	id, err := c.ID("key_id")
	if err != nil {
		return err
	}
	k, err := c.Store().RevokeKey(c.R.Context(), id, c.srv.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, keyView(k))
}
