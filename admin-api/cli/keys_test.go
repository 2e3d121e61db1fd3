package cli

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/aigw/aigw/internal/testdb"
)

func TestKeysAndTenantsCommands(t *testing.T) {
	t.Setenv("DATABASE_URL", testdb.NewURL(t))
	ctx := context.Background()
	run := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := Run(ctx, args, &out, &out); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}
	run("migrate")
	run("tenants", "create", "--slug", "acme", "--name", "Acme Bank", "--rpm", "100", "--budget", "500")
	out := run("keys", "create", "--tenant", "acme", "--name", "ci", "--models", "gpt-4o*,mock-*",
		"--rpm", "60", "--tpm", "10000", "--concurrency", "4", "--budget", "25.5", "--expires", "720h")
	key := regexp.MustCompile(`(?m)^sk-aigw-[0-9A-Za-z]{43}$`).FindString(out)
	if key == "" {
		t.Fatalf("keys create did not print the key on its own line:\n%s", out)
	}
	prefix := key[:14]
	list := run("keys", "list", "--tenant", "acme")
	if strings.Contains(list, key) || !strings.Contains(list, prefix) || !strings.Contains(list, "gpt-4o*,mock-*") ||
		!strings.Contains(list, "25.5") || !strings.Contains(list, "active") {
		t.Errorf("keys list:\n%s", list)
	}
	tl := run("tenants", "list")
	if !strings.Contains(tl, "acme") || !strings.Contains(tl, "500") {
		t.Errorf("tenants list:\n%s", tl)
	}
	run("keys", "revoke", prefix)
	if list := run("keys", "list"); !strings.Contains(list, "revoked") {
		t.Errorf("after revoke:\n%s", list)
	}
	run("tenants", "suspend", "acme")
	if tl := run("tenants", "list"); !strings.Contains(tl, "suspended") {
		t.Errorf("after suspend:\n%s", tl)
	}

	for _, bad := range [][]string{
		{"keys"}, {"keys", "create"}, {"keys", "create", "--tenant", "acme", "--budget", "ten"},
		{"keys", "create", "--tenant", "acme", "--models", "gpt-[4"}, {"keys", "revoke"}, {"tenants", "create", "--slug", "x"},
	} {
		var buf bytes.Buffer
		if err := Run(ctx, bad, &buf, &buf); ExitCode(err) != 2 {
			t.Errorf("%v: err %v, want a usage error", bad, err)
		}
	}
	var buf bytes.Buffer
	if err := Run(ctx, []string{"keys", "create", "--tenant", "nobody"}, &buf, &buf); err == nil || !strings.Contains(err.Error(), "nobody") {
		t.Errorf("unknown tenant: %v", err)
	}
}
