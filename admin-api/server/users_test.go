package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aigw/aigw/internal/apikey"
)

func TestAdminAddsAUserWhoSignsIn(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	var u User
	e.do("POST", "/users", a.Tokens["admin"], map[string]any{"email": "new@alpha.example", "name": "New", "role": "manager",
		"password": "a fresh long password"}).want(http.StatusCreated).decode(&u)
	if u.Role != "manager" || u.Status != "active" || !u.HasPassword || u.TenantID != a.ID {
		t.Errorf("created %+v", u)
	}
	e.login("new@alpha.example", "a fresh long password")
	b := e.do("POST", "/users", a.Tokens["admin"], map[string]any{"email": "NEW@alpha.example", "name": "Dup", "role": "user"}).
		want(http.StatusConflict).err()
	if *b.Error.Code != CodeConflict {
		t.Errorf("duplicate: %+v", b)
	}
	if n := e.auditCount(a.ID, "user.create"); n != 5 {
		t.Errorf("%d user.create events, want 5", n)
	}
	var list List[User]
	e.do("GET", "/users?limit=2&offset=1", a.Tokens["manager"], nil).want(200).decode(&list)
	if list.Total != 5 || len(list.Data) != 2 {
		t.Errorf("page: total %d, %d rows", list.Total, len(list.Data))
	}
}

func TestManagersManageOnlyUsersBelowAdmin(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	m := a.Tokens["manager"]
	e.do("POST", "/users", m, map[string]any{"email": "x@alpha.example", "name": "X", "role": "admin"}).want(http.StatusForbidden)
	e.do("PUT", "/users/"+a.Users["user"].ID, m, map[string]any{"role": "admin"}).want(http.StatusForbidden)
	e.do("PUT", "/users/"+a.Users["admin"].ID, m, map[string]any{"name": "Renamed"}).want(http.StatusForbidden)
	e.do("DELETE", "/users/"+a.Users["admin"].ID, m, nil).want(http.StatusForbidden)
	e.do("PUT", "/users/"+a.Users["user"].ID, m, map[string]any{"role": "viewer"}).want(http.StatusOK)
}

func TestUsersSeeAndChangeOnlyThemselves(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	tok, me := a.Tokens["user"], a.Users["user"].ID
	var list List[User]
	e.do("GET", "/users", tok, nil).want(200).decode(&list)
	if list.Total != 1 || list.Data[0].ID != me {
		t.Errorf("a user's list: %+v", list)
	}
	e.do("GET", "/users/"+a.Users["admin"].ID, tok, nil).want(http.StatusNotFound)
	e.do("PUT", "/users/"+me, tok, map[string]any{"role": "admin"}).want(http.StatusForbidden)
	e.do("PUT", "/users/"+me, tok, map[string]any{"status": "suspended"}).want(http.StatusForbidden)
	e.do("PUT", "/users/"+me, tok, map[string]any{"name": "Me Myself"}).want(http.StatusOK)
	// A new password needs the current one, and ends the other sessions.
	other := e.login("user@alpha.example", testPassword)
	e.do("PUT", "/users/"+me, tok, map[string]any{"password": "my new long password"}).want(http.StatusBadRequest)
	e.do("PUT", "/users/"+me, tok, map[string]any{"password": "my new long password", "current_password": "wrong guess!"}).want(http.StatusUnprocessableEntity)
	e.do("PUT", "/users/"+me, tok, map[string]any{"password": "short", "current_password": testPassword}).want(http.StatusBadRequest)
	e.do("PUT", "/users/"+me, tok, map[string]any{"password": "my new long password", "current_password": testPassword}).want(http.StatusOK)
	e.do("GET", "/auth/me", tok, nil).want(http.StatusOK)
	e.do("GET", "/auth/me", other, nil).want(http.StatusUnauthorized)
	e.login("user@alpha.example", "my new long password")
}

func TestLastAdminCannotBeDemotedSuspendedOrRemoved(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	id, tok := a.Users["admin"].ID, a.Tokens["admin"]
	e.do("PUT", "/users/"+id, tok, map[string]any{"role": "viewer"}).want(http.StatusConflict)
	e.do("PUT", "/users/"+id, tok, map[string]any{"status": "suspended"}).want(http.StatusConflict)
	e.do("DELETE", "/users/"+id, tok, nil).want(http.StatusConflict)
	e.do("PUT", "/users/"+a.Users["manager"].ID, tok, map[string]any{"role": "admin"}).want(http.StatusOK)
	e.do("PUT", "/users/"+id, tok, map[string]any{"role": "viewer"}).want(http.StatusOK)
	e.do("GET", "/audit/logs", tok, nil).want(http.StatusForbidden) // a viewer now, at the next request
}

// TestDeletingAUserRevokesTheirKeysAtEveryGateway: the gateways' key caches
// listen on aigw_auth; deleting a user through the API notifies them of each
// of the user's keys at commit, as `aigw-admin keys revoke` does.
func TestDeletingAUserRevokesTheirKeysAtEveryGateway(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	var k NewKey
	e.do("POST", "/api-keys", a.Tokens["admin"], map[string]any{"user_id": a.Users["user"].ID, "name": "soon gone"}).want(201).decode(&k)
	conn := listen(t, e)
	var del DeletedUser
	e.do("DELETE", "/users/"+a.Users["user"].ID, a.Tokens["admin"], nil).want(200).decode(&del)
	if del.KeysRevoked != 1 || del.User.ID != a.Users["user"].ID {
		t.Errorf("deleted %+v", del)
	}
	h := apikey.Sum(k.Secret)
	waitNotify(t, conn, "key:"+hexOf(h[:]))
	if _, err := e.store.LookupKey(context.Background(), h); err == nil {
		t.Error("the deleted user's key is still found")
	}
	e.do("GET", "/auth/me", a.Tokens["user"], nil).want(http.StatusUnauthorized)
	e.do("GET", "/users/"+a.Users["user"].ID, a.Tokens["admin"], nil).want(http.StatusNotFound)
}

func listen(t *testing.T, e *env) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), e.pool.Config().ConnConfig.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(context.Background(), "LISTEN aigw_auth"); err != nil {
		t.Fatal(err)
	}
	return conn
}

// waitNotify waits up to 2 s for payload on conn.
func waitNotify(t *testing.T, conn *pgx.Conn, payload string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var seen []string
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			t.Fatalf("no %q notification within 2 s (saw %v): %v", payload, seen, err)
		}
		if n.Payload == payload {
			return
		}
		seen = append(seen, n.Payload)
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	var sb strings.Builder
	for _, c := range b {
		sb.WriteByte(digits[c>>4])
		sb.WriteByte(digits[c&15])
	}
	return sb.String()
}
