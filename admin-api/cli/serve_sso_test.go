package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/aigw/aigw/internal/testdb"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestSSOOptionsFromTheEnvironment(t *testing.T) {
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	o, err := ssoOptions(envOf(map[string]string{"AIGW_ENCRYPTION_KEY": "prod-1:" + key, "AIGW_PUBLIC_URL": "https://aigw.bank.example"}), zap.NewNop())
	if err != nil || o.Keyring == nil || o.Keyring.CurrentKeyID() != "prod-1" || o.PublicURL != "https://aigw.bank.example" {
		t.Fatalf("%+v %v", o, err)
	}
	if o, err := ssoOptions(envOf(nil), zap.NewNop()); err != nil || o.Keyring != nil {
		t.Errorf("no key: %+v %v (the server starts; secrets are refused)", o, err)
	}
	_, err = ssoOptions(envOf(map[string]string{"AIGW_ENCRYPTION_KEY": "too-short"}), zap.NewNop())
	if ExitCode(err) != 2 || !strings.Contains(err.Error(), "AIGW_ENCRYPTION_KEY") {
		t.Errorf("bad key: %v (exit %d)", err, ExitCode(err))
	}
}

func TestSSOStatesFromREDIS_URL(t *testing.T) {
	ctx := context.Background()
	if st, closeFn, err := ssoStates(ctx, ""); err != nil || st != nil {
		t.Errorf("no Redis: %v %v", st, err)
	} else {
		closeFn()
	}
	if _, _, err := ssoStates(ctx, "not a url"); ExitCode(err) != 2 {
		t.Errorf("malformed URL: %v", err)
	}
	if _, _, err := ssoStates(ctx, "redis://127.0.0.1:1/0"); err == nil || !strings.Contains(err.Error(), "does not answer") {
		t.Errorf("Redis down: %v", err)
	}
	st, closeFn, err := ssoStates(ctx, testdb.RedisURL(t))
	if err != nil || st == nil {
		t.Fatalf("Redis: %v %v", st, err)
	}
	closeFn()
}

func TestSecretsResealNeedsAKeyAndReportsWhatItDid(t *testing.T) {
	ctx := context.Background()
	t.Setenv("DATABASE_URL", testdb.NewURL(t))
	var out bytes.Buffer
	if err := Run(ctx, []string{"migrate"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AIGW_ENCRYPTION_KEY", "")
	if err := Run(ctx, []string{"secrets", "reseal"}, &out, &out); ExitCode(err) != 2 {
		t.Errorf("without a key: %v", err)
	}
	if err := Run(ctx, []string{"secrets"}, &out, &out); ExitCode(err) != 2 {
		t.Errorf("no subcommand: %v", err)
	}
	t.Setenv("AIGW_ENCRYPTION_KEY", base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")))
	out.Reset()
	if err := Run(ctx, []string{"secrets", "reseal"}, &out, &out); err != nil || !strings.Contains(out.String(), "resealed 0 SSO client secrets") {
		t.Errorf("reseal: %v %q", err, out.String())
	}
}

func TestServeRefusesABadEncryptionKeyBeforeConnecting(t *testing.T) {
	t.Setenv("AIGW_ENV", "development")
	t.Setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
	t.Setenv("AIGW_ENCRYPTION_KEY", "not-a-key")
	var out bytes.Buffer
	err := Run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, &out, &out)
	if ExitCode(err) != 2 || !strings.Contains(err.Error(), "AIGW_ENCRYPTION_KEY") {
		t.Errorf("serve with a bad key: %v", err)
	}
}
