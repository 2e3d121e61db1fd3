package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// startAdminAPI builds aigw-admin as `make build` does and serves it on the
// gateway's database; the shipped Caddyfile proxies /api/v1/admin/* to it.
func startAdminAPI(t *testing.T, dbURL string, port int) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "aigw-admin")
	build := exec.Command("go", "build", "-o", bin, "./admin-api/cmd/aigw-admin")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building aigw-admin: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:"+strconv.Itoa(port))
	cmd.Dir = repoRoot
	cmd.Env = append(cmd.Environ(), "DATABASE_URL="+dbURL, "AIGW_ENV=production", "AIGW_ALLOW_REGISTRATION=true",
		"SESSION_SECRET=an e2e session secret, long enough to sign")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() //nolint:errcheck
		cmd.Wait()         //nolint:errcheck
	})
	waitListening(t, port)
}

// adminCall calls the admin API through the gateway.
func (g *gateway) adminCall(t *testing.T, method, path, token string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, g.URL+"/api/v1/admin"+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

// TestAdminAPIPolicyPutBlocksAtTheGateway drives the real aigw-admin binary
// through the gateway's port: a tenant registers, creates a key, and a
// request that passed is blocked once the tenant's policy blocks e-mail
// addresses, within the gateway's refresh interval (10 s); revoking a key
// and removing a user stop their keys within 2 s.
func TestAdminAPIPolicyPutBlocksAtTheGateway(t *testing.T) {
	adminPort := freePort(t)
	g := startGateway(t, shippedConfigs, "AIGW_ADMIN_API=127.0.0.1:"+strconv.Itoa(adminPort))
	startAdminAPI(t, g.DBURL, adminPort)

	var in struct {
		AccessToken string `json:"access_token"`
		User        struct{ ID string }
	}
	if s := g.adminCall(t, "POST", "/auth/register", "", map[string]any{"tenant_name": "Policy Bank", "email": "ciso@policy.example",
		"password": "a long enough password", "name": "CISO"}, &in); s != 201 {
		t.Fatalf("register: %d", s)
	}
	tok := in.AccessToken
	var user struct{ ID string }
	if s := g.adminCall(t, "POST", "/users", tok, map[string]any{"email": "dev@policy.example", "name": "Dev", "role": "user"}, &user); s != 201 {
		t.Fatalf("create user: %d", s)
	}
	var key struct{ ID, Key string }
	if s := g.adminCall(t, "POST", "/api-keys", tok, map[string]any{"user_id": user.ID, "name": "app"}, &key); s != 201 {
		t.Fatalf("create key: %d", s)
	}
	c := g.client(option.WithAPIKey(key.Key))
	prompt := chatParams("gpt-4o", "please write to jane.doe@example.com")
	if _, err := c.Chat.Completions.New(context.Background(), prompt); err != nil {
		t.Fatalf("before the policy: %v", err)
	}
	if s := g.adminCall(t, "PUT", "/guardrails/policy", tok, map[string]any{"template": "bfsi-standard",
		"overrides": map[string]any{"pii.email": map[string]any{"action": "block"}}}, nil); s != 200 {
		t.Fatalf("put policy: %d", s)
	}
	start := time.Now()
	for {
		_, err := c.Chat.Completions.New(context.Background(), prompt)
		var apiErr *openai.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == 400 && apiErr.Code == "guardrail_violation" && strings.Contains(apiErr.Message, "pii.email") {
			t.Logf("the tenant's policy blocked at the gateway %v after the PUT", time.Since(start).Round(time.Millisecond))
			break
		}
		if time.Since(start) > 15*time.Second {
			t.Fatalf("the gateway never applied the tenant's policy: last err %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	waitRefused := func(what, k string) {
		t.Helper()
		hdr := map[string]string{"Authorization": "Bearer " + k}
		start := time.Now()
		for time.Since(start) < 2*time.Second {
			if resp, _ := g.rawCall(t, "/v1/chat/completions", mockChat, hdr); resp.StatusCode == 401 {
				t.Logf("%s applied at the gateway after %v", what, time.Since(start).Round(time.Millisecond))
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("%s: the key still works after 2 s", what)
	}
	if resp, _ := g.rawCall(t, "/v1/chat/completions", mockChat, map[string]string{"Authorization": "Bearer " + key.Key}); resp.StatusCode != 200 {
		t.Fatalf("the key before revocation: %d", resp.StatusCode)
	}
	if s := g.adminCall(t, "DELETE", "/api-keys/"+key.ID, tok, nil, nil); s != 200 {
		t.Fatalf("revoke: %d", s)
	}
	waitRefused("key revocation", key.Key)
	var second struct{ Key string }
	g.adminCall(t, "POST", "/api-keys", tok, map[string]any{"user_id": user.ID}, &second)
	if resp, _ := g.rawCall(t, "/v1/chat/completions", mockChat, map[string]string{"Authorization": "Bearer " + second.Key}); resp.StatusCode != 200 {
		t.Fatalf("the second key: %d", resp.StatusCode)
	}
	if s := g.adminCall(t, "DELETE", "/users/"+user.ID, tok, nil, nil); s != 200 {
		t.Fatalf("delete user: %d", s)
	}
	waitRefused("user removal", second.Key)
}
