package cli

import (
	"context"
	"io"
	"strings"
	"testing"
)

func TestServeConfigFromTheEnvironment(t *testing.T) {
	for _, tc := range []struct {
		env     map[string]string
		wantErr string
		dev     bool
		reg     bool
	}{
		{env: map[string]string{}, wantErr: "SESSION_SECRET is not set"},
		{env: map[string]string{"AIGW_ENV": "production"}, wantErr: "SESSION_SECRET is not set"},
		{env: map[string]string{"AIGW_ENV": "development"}, dev: true},
		{env: map[string]string{"AIGW_ENV": "dev"}, wantErr: "want development or production"},
		{env: map[string]string{"SESSION_SECRET": strings.Repeat("s", 40), "AIGW_ALLOW_REGISTRATION": "true"}, reg: true},
		{env: map[string]string{"SESSION_SECRET": strings.Repeat("s", 40), "AIGW_ALLOW_REGISTRATION": "yes"}, wantErr: "want true or false"},
		{env: map[string]string{"SESSION_SECRET": strings.Repeat("s", 40), "AIGW_ADMIN_TRUSTED_PROXIES": "10.0.0.0/8, ::1/128"}},
		{env: map[string]string{"SESSION_SECRET": strings.Repeat("s", 40), "AIGW_ADMIN_TRUSTED_PROXIES": "10.0.0.1"}, wantErr: "not a CIDR prefix"},
	} {
		cfg, err := serverConfig(func(k string) string { return tc.env[k] })
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || ExitCode(err) != 2 {
				t.Errorf("%v: err %v, want %q", tc.env, err, tc.wantErr)
			}
			continue
		}
		if err != nil || cfg.Development != tc.dev || cfg.AllowRegistration != tc.reg {
			t.Errorf("%v: %+v, %v", tc.env, cfg, err)
		}
	}
}

// TestServeRefusesAShortSecret: a secret under 32 bytes stops the server
// before it connects or listens.
func TestServeRefusesAShortSecret(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://127.0.0.1:1/none")
	t.Setenv("SESSION_SECRET", "too short")
	t.Setenv("AIGW_ENV", "")
	err := Run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "SESSION_SECRET has 9 bytes") {
		t.Errorf("err %v", err)
	}
}
