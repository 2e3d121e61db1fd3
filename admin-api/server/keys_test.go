package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/apikey"
)

func TestCreateReadAndRevokeAKey(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	tok := a.Tokens["manager"]
	exp := e.clock.Now().Add(30 * 24 * time.Hour).Truncate(time.Second)
	var k NewKey
	res := e.do("POST", "/api-keys", tok, map[string]any{"name": "batch jobs", "user_id": a.Users["user"].ID,
		"models": []string{"gpt-4o*", "mock-*"}, "rpm": 60, "tpm": 10000, "concurrency": 4, "budget_usd": "25.50",
		"expires_at": exp.Format(time.RFC3339)}).want(http.StatusCreated)
	res.decode(&k)
	if !apikey.WellFormed(k.Secret) || !strings.HasPrefix(k.Secret, k.Prefix) || k.Status != "active" || *k.UserID != a.Users["user"].ID ||
		k.RPM != 60 || *k.BudgetUSD != "25.500000" || !k.ExpiresAt.Equal(exp) || *k.CreatedBy != a.Users["manager"].ID {
		t.Fatalf("created %+v", k)
	}
	// The gateway's own lookup finds it with those limits.
	rec, err := e.store.LookupKey(context.Background(), apikey.Sum(k.Secret))
	if err != nil || rec.RPMLimit != 60 || !rec.AllowsModel("gpt-4o-mini") || rec.AllowsModel("claude-3-5-sonnet") {
		t.Fatalf("gateway lookup %+v, %v", rec, err)
	}
	// Never shown again.
	got := e.do("GET", "/api-keys/"+k.ID, tok, nil).want(200)
	if strings.Contains(string(got.Body), k.Secret) || strings.Contains(string(e.do("GET", "/api-keys", tok, nil).Body), k.Secret) {
		t.Fatal("the key is shown again")
	}
	// Spend this month and last use come from usage_logs.
	e.pool.Exec(context.Background(), `INSERT INTO usage_logs (request_id, created_at, tenant_id, api_key_id, endpoint, status, cost_usd)
VALUES ('r1', $2, $1, $3, '/v1/chat/completions', 200, 0.25), ('r2', $2, $1, $3, '/v1/chat/completions', 200, 0.5)`, a.ID, e.clock.Now(), k.ID) //nolint:errcheck
	var read Key
	e.do("GET", "/api-keys/"+k.ID, tok, nil).want(200).decode(&read)
	if read.SpentUSD != "0.750000" || read.LastUsedAt == nil {
		t.Errorf("spent %s, last used %v", read.SpentUSD, read.LastUsedAt)
	}
	conn := listen(t, e)
	var revoked Key
	e.do("DELETE", "/api-keys/"+k.ID, tok, nil).want(200).decode(&revoked)
	if revoked.Status != "revoked" || revoked.RevokedAt == nil {
		t.Errorf("revoked %+v", revoked)
	}
	h := apikey.Sum(k.Secret)
	waitNotify(t, conn, "key:"+hexOf(h[:]))
	if rec, _ := e.store.LookupKey(context.Background(), h); rec.RevokedAt.IsZero() {
		t.Error("the gateway's lookup does not see the revocation")
	}
	var again Key
	e.do("DELETE", "/api-keys/"+k.ID, tok, nil).want(200).decode(&again)
	if !again.RevokedAt.Equal(*revoked.RevokedAt) {
		t.Error("revoking twice moved the revocation time")
	}
	if e.auditCount(a.ID, "api_key.create") != 1 || e.auditCount(a.ID, "api_key.revoke") != 2 {
		t.Error("key changes are not audited")
	}
}

func TestKeyRulesAreTheCLIsAndNameTheField(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	for field, body := range map[string]map[string]any{
		"budget":      {"budget_usd": "ten"},
		"models":      {"models": []string{"gpt-[4o"}},
		"rpm":         {"rpm": -1},
		"concurrency": {"concurrency": -5},
		"name":        {"name": strings.Repeat("n", 201)},
		"expires_at":  {"expires_at": "2000-01-01T00:00:00Z"},
		"user_id":     {"user_id": "not-a-uuid"},
	} {
		b := e.do("POST", "/api-keys", a.Tokens["admin"], body).want(http.StatusBadRequest).err()
		if b.Error.Param == nil || *b.Error.Param != field {
			t.Errorf("%s: %+v", field, b.Error)
		}
	}
	e.do("POST", "/api-keys", a.Tokens["admin"], map[string]any{"rpm": "sixty"}).want(http.StatusBadRequest)
	e.do("POST", "/api-keys", a.Tokens["admin"], map[string]any{"user_id": "00000000-0000-4000-8000-000000000000"}).want(http.StatusNotFound)
}

func TestUsersKeysAreTheirOwn(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	tok := a.Tokens["user"]
	var k NewKey
	e.do("POST", "/api-keys", tok, map[string]any{"name": "mine"}).want(201).decode(&k)
	if k.UserID == nil || *k.UserID != a.Users["user"].ID {
		t.Errorf("a user's key belongs to %v", k.UserID)
	}
	e.do("POST", "/api-keys", tok, map[string]any{"user_id": a.Users["admin"].ID}).want(http.StatusNotFound)
	var admins NewKey
	e.do("POST", "/api-keys", a.Tokens["admin"], map[string]any{"name": "tenant-wide"}).want(201).decode(&admins)
	if admins.UserID != nil {
		t.Errorf("an admin's key without user_id belongs to %v", *admins.UserID)
	}
	e.do("GET", "/api-keys/"+admins.ID, tok, nil).want(http.StatusNotFound)
	e.do("DELETE", "/api-keys/"+admins.ID, tok, nil).want(http.StatusNotFound)
	var list List[Key]
	e.do("GET", "/api-keys", tok, nil).want(200).decode(&list)
	if list.Total != 1 || list.Data[0].ID != k.ID {
		t.Errorf("a user's keys: %+v", list)
	}
}
