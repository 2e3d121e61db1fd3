package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/fakeprovider"
)

// buildAigw builds the aigw binary as `make build` does, once per test run.
func buildAigw(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "aigw")
	cmd := exec.Command("go", "build", "-tags", "nobadger,nomysql,nopgx", "-o", bin, "./cmd/aigw")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building aigw: %v\n%s", err, out)
	}
	return bin
}

// aigwCmd runs the binary from the repository root with env added.
func aigwCmd(bin string, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// TestBinaryCommands drives the real binary: list-modules, validate, adapt,
// run, reload (three times, with traffic in between) and stop.
func TestBinaryCommands(t *testing.T) {
	bin := buildAigw(t)
	fake := fakeprovider.New(upstreamKey)
	upstream := httptest.NewServer(fake)
	defer upstream.Close()
	g := &gateway{}
	g.DBURL = testdbWithKey(t, g)
	port, adminPort := freePort(t), freePort(t)
	env := []string{
		"DATABASE_URL=" + g.DBURL, "AIGW_PORT=" + strconv.Itoa(port), "AIGW_BIND=127.0.0.1",
		"AIGW_CADDY_ADMIN=localhost:" + strconv.Itoa(adminPort),
		"OPENAI_BASE_URL=" + upstream.URL + "/v1", "OPENAI_API_KEY=" + upstreamKey,
	}

	out, err := aigwCmd(bin, env, "list-modules").CombinedOutput()
	if err != nil {
		t.Fatalf("list-modules: %v", err)
	}
	for _, m := range []string{"aigw", "http.handlers.aigw_auth", "http.handlers.aigw_route"} {
		if !strings.Contains("\n"+string(out), "\n"+m+"\n") {
			t.Errorf("list-modules does not show %s", m)
		}
	}

	if out, err := aigwCmd(bin, env, "validate", "--config", "Caddyfile").CombinedOutput(); err != nil || !strings.Contains(string(out), "Valid configuration") {
		t.Fatalf("validate: %v\n%s", err, out)
	}
	bad := filepath.Join(t.TempDir(), "models.yaml")
	os.WriteFile(bad, []byte("models:\n  - id: x\n    provider: nowhere\n"), 0o600) //nolint:errcheck
	if out, err := aigwCmd(bin, append(env, "AIGW_MODELS="+bad), "validate", "--config", "Caddyfile").CombinedOutput(); err == nil || !strings.Contains(string(out), `provider \"nowhere\"`) {
		t.Errorf("validate with a bad models.yaml: err %v, output does not quote the bad value:\n%s", err, out)
	}

	out, err = aigwCmd(bin, env, "adapt", "--config", "Caddyfile").Output()
	if err != nil {
		t.Fatalf("adapt: %v", err)
	}
	var adapted struct {
		Apps map[string]json.RawMessage `json:"apps"`
	}
	if err := json.Unmarshal(out, &adapted); err != nil || adapted.Apps["aigw"] == nil || adapted.Apps["http"] == nil {
		t.Fatalf("adapt output lacks the aigw and http apps: %v", err)
	}
	if strings.Contains(string(out), g.DBURL) {
		t.Error("adapted JSON contains the database URL; it must stay a placeholder")
	}

	run := aigwCmd(bin, env, "run", "--config", "Caddyfile")
	var stderr bytes.Buffer // read only after the process exited
	run.Stderr = &stderr
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { run.Process.Kill(); run.Wait() }() //nolint:errcheck
	waitListening(t, port)
	call := func(stage string) {
		t.Helper()
		req, _ := http.NewRequest("POST", "http://127.0.0.1:"+strconv.Itoa(port)+"/v1/chat/completions",
			strings.NewReader(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`))
		req.Header.Set("Authorization", "Bearer "+g.Key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", stage, resp.StatusCode)
		}
	}
	call("before reload")
	for i := 0; i < 3; i++ {
		if out, err := aigwCmd(bin, env, "reload", "--config", "Caddyfile", "--address", "localhost:"+strconv.Itoa(adminPort), "--force").CombinedOutput(); err != nil {
			t.Fatalf("reload %d: %v\n%s", i, err, out)
		}
		http.DefaultClient.CloseIdleConnections()
		call("after reload " + strconv.Itoa(i))
	}
	if out, err := aigwCmd(bin, env, "stop", "--address", "localhost:"+strconv.Itoa(adminPort)).CombinedOutput(); err != nil {
		t.Fatalf("stop: %v\n%s", err, out)
	}
	waitCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	exited := make(chan error, 1)
	go func() { exited <- run.Wait() }()
	select {
	case <-exited:
	case <-waitCtx.Done():
		t.Fatal("aigw did not exit after stop")
	}
	// The access log is buffered (aigw_buffered, up to a second): reloads and
	// the stop must have written out every request's line.
	if n := strings.Count(stderr.String(), `"logger":"http.handlers.aigw_meter.access","msg":"request"`); n != 4 {
		t.Errorf("%d access log lines on stderr after stop, want 4 (one per request):\n%s", n, stderr.String())
	}
}
