package cli

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/aigw/aigw/internal/testdb"
)

func TestUnknownCommandIsUsageError(t *testing.T) {
	var out, errOut bytes.Buffer
	err := Run(context.Background(), []string{"frobnicate"}, &out, &errOut)
	if err == nil || ExitCode(err) != 2 || !strings.Contains(errOut.String(), "migrate") {
		t.Fatalf("err = %v (exit %d), usage = %q", err, ExitCode(err), errOut.String())
	}
	if err := Run(context.Background(), nil, &out, &errOut); ExitCode(err) != 2 {
		t.Errorf("no command: exit %d", ExitCode(err))
	}
}

func TestMigrateAndSeed(t *testing.T) {
	t.Setenv("DATABASE_URL", testdb.NewURL(t))
	ctx := context.Background()
	var out bytes.Buffer
	if err := Run(ctx, []string{"migrate"}, &out, &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "applied 0001_") {
		t.Errorf("migrate output = %q", out.String())
	}
	out.Reset()
	if err := Run(ctx, []string{"migrate"}, &out, &out); err != nil || !strings.Contains(out.String(), "up to date") {
		t.Errorf("second migrate: %v %q", err, out.String())
	}
	out.Reset()
	if err := Run(ctx, []string{"seed", "--gateway-url", "http://127.0.0.1:9999"}, &out, &out); err != nil {
		t.Fatalf("seed: %v", err)
	}
	// The key stands alone on its own line, followed by the URL to call.
	if !regexp.MustCompile(`(?m)^sk-aigw-[0-9A-Za-z]{43}$`).MatchString(out.String()) || !strings.Contains(out.String(), "http://127.0.0.1:9999/v1/chat/completions") {
		t.Errorf("seed output lacks the key line or the URL:\n%s", out.String())
	}
	out.Reset()
	if err := Run(ctx, []string{"seed"}, &out, &out); err != nil || strings.Contains(out.String(), "sk-aigw-") {
		t.Errorf("second seed printed a key or failed: %v %q", err, out.String())
	}
}

func TestMissingDatabaseURL(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	err := Run(context.Background(), []string{"migrate"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") || ExitCode(err) != 2 {
		t.Errorf("err = %v", err)
	}
}
