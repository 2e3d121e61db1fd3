package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRefusedKeyBurstIsASecurityEvent checks that a client trying bad keys
// leaves one security event on the audit trail, with the address masked and
// no key in it.
func TestRefusedKeyBurstIsASecurityEvent(t *testing.T) {
	g := startGateway(t, shippedConfigs)
	bad := "sk-aigw-" + strings.Repeat("x", 43)
	for i := 0; i < 25; i++ {
		req, _ := http.NewRequest("GET", g.URL+"/v1/models", nil)
		req.Header.Set("Authorization", "Bearer "+bad)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("bad key answered %d", resp.StatusCode)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		var details, ip string
		err := g.DB.QueryRow(context.Background(), `SELECT count(*) OVER (), details::text, client_ip FROM audit_logs
			WHERE action = 'security.invalid_api_keys' AND tenant_id IS NULL`).Scan(&n, &details, &ip)
		if err == nil {
			if n != 1 || !strings.Contains(details, `"refusals": 20`) || strings.Contains(details, bad) || ip == "127.0.0.1" {
				t.Errorf("%d events, details %s, client_ip %q: want one event for the burst, masked address, no key", n, details, ip)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no security event for the burst: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
