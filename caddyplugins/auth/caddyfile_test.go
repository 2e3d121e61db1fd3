package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aigw/aigw/caddyplugins/internal/adapttest"
)

func TestUnmarshalCaddyfile(t *testing.T) {
	off := false
	tests := []struct {
		name    string
		input   string
		want    Handler
		wantErr string
	}{
		{name: "defaults", input: `aigw_auth`, want: Handler{}},
		{name: "all options", input: `aigw_auth {
			cache_ttl 1m
			negative_cache_ttl 5s
			cache_size 500
			lookup_timeout 750ms
			stale_ttl 15m
			notifications off
		}`, want: Handler{
			CacheTTL: caddy.Duration(time.Minute), NegativeCacheTTL: caddy.Duration(5 * time.Second),
			CacheSize: 500, LookupTimeout: caddy.Duration(750 * time.Millisecond),
			StaleTTL: caddy.Duration(15 * time.Minute), Notifications: &off,
		}},
		{name: "bad notifications", input: "aigw_auth {\n notifications maybe\n}", wantErr: `notifications "maybe"`},
		{name: "failure audit", input: "aigw_auth {\n failure_threshold 5\n failure_window 30s\n}",
			want: Handler{FailureThreshold: 5, FailureWindow: caddy.Duration(30 * time.Second)}},
		{name: "failure audit off", input: "aigw_auth {\n failure_threshold -1\n}", want: Handler{FailureThreshold: -1}},
		{name: "zero threshold", input: "aigw_auth {\n failure_threshold 0\n}", wantErr: `failure_threshold "0"`},
		{name: "argument", input: `aigw_auth yes`, wantErr: "wrong argument count"},
		{name: "bad duration", input: "aigw_auth {\n cache_ttl soon\n}", wantErr: `cache_ttl "soon"`},
		{name: "bad size", input: "aigw_auth {\n cache_size -1\n}", wantErr: `cache_size "-1"`},
		{name: "unknown option", input: "aigw_auth {\n ttl 1s\n}", wantErr: `unrecognized aigw_auth option "ttl"`},
		{name: "missing value", input: "aigw_auth {\n cache_ttl\n}", wantErr: "wrong argument count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Handler
			err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser(tt.input))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, h, cmpopts.IgnoreUnexported(Handler{})); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestAdaptGolden(t *testing.T) {
	adapttest.Golden(t, `:8080 {
	aigw_auth {
		cache_ttl 1m
		stale_ttl 30m
		notifications off
	}
	respond "ok"
}`, "testdata/adapt.golden.json")
}
