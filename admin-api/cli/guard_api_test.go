package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/aigw/aigw/admin-api/server"
	"github.com/aigw/aigw/internal/guard"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/testdb"
)

// TestGuardTestAnswersAsTheAdminAPI: POST /guardrails/test answers, byte
// for byte, what `aigw-admin guard test` prints, over the guardrail corpus,
// every template and both directions.
func TestGuardTestAnswersAsTheAdminAPI(t *testing.T) {
	srv, err := server.New(server.Config{Store: store.New(testdb.New(t)), Development: true,
		SessionSecret: []byte("a session secret of at least 32 bytes"),
		Configs: server.ConfigPaths{Models: "../../configs/models.yaml", Providers: "../../configs/providers.yaml",
			RoutingRules: "../../configs/routing_rules.yaml", Guardrails: "../../configs/guardrails.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	post := func(path, token string, body any) []byte {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", hs.URL+server.Prefix+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		if res.StatusCode/100 != 2 {
			t.Fatalf("%s: %d %s", path, res.StatusCode, out)
		}
		return out
	}
	var in server.SignIn
	json.Unmarshal(post("/auth/register", "", map[string]any{"tenant_name": "Guard Bank", "email": "g@guard.example", //nolint:errcheck
		"password": "a long enough password", "name": "G"}), &in)
	all, err := guard.LoadPolicies("../../configs/guardrails.yaml")
	if err != nil {
		t.Fatal(err)
	}
	engine, _ := guard.NewEngine(guard.Options{})
	f, err := os.Open("../../internal/guard/testdata/corpus.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 0; sc.Scan() && n < 120; n++ {
		var line struct{ Text string }
		json.Unmarshal(sc.Bytes(), &line) //nolint:errcheck
		policy := []string{"bfsi-strict", "bfsi-standard", "permissive", "example-shadow-rollout"}[n%4]
		dir := []string{"input", "output"}[n/4%2]
		d, _ := parseDirection(dir)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.Encode(screen(engine, all[policy], line.Text, d, "")) //nolint:errcheck
		got := post("/guardrails/test", in.AccessToken, map[string]any{"text": line.Text, "policy": policy, "direction": dir})
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("line %d (%s, %s):\nAPI %s\nCLI %s", n, policy, dir, got, want.Bytes())
		}
	}
}
