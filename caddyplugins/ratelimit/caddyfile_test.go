package ratelimit

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
	tests := []struct {
		name    string
		input   string
		want    Handler
		wantErr string
	}{
		{name: "defaults", input: `aigw_ratelimit`, want: Handler{}},
		{name: "all options", input: `aigw_ratelimit {
			backend redis
			on_redis_error closed
			redis_timeout 100ms
			key_prefix gw1:
			time_zone Europe/London
			default_max_tokens 1024
			max_request_duration 5m
			key rpm 600 tpm 100000 concurrency 10 budget 50
			user rpm 300
			tenant tpm 2000000 budget 10000.50
			model rpm 5000
		}`, want: Handler{
			Backend: "redis", OnRedisError: "closed", RedisTimeout: caddy.Duration(100 * time.Millisecond),
			KeyPrefix: "gw1:", TimeZone: "Europe/London", DefaultMaxTokens: 1024, MaxRequestDuration: caddy.Duration(5 * time.Minute),
			Key:    &Limits{RPM: 600, TPM: 100000, Concurrency: 10, Budget: "50"},
			User:   &Limits{RPM: 300},
			Tenant: &Limits{TPM: 2000000, Budget: "10000.50"},
			Model:  &Limits{RPM: 5000},
		}},
		{name: "argument", input: `aigw_ratelimit yes`, wantErr: "wrong argument count"},
		{name: "bad backend", input: "aigw_ratelimit {\n backend etcd\n}", wantErr: `backend "etcd"`},
		{name: "bad mode", input: "aigw_ratelimit {\n on_redis_error maybe\n}", wantErr: `on_redis_error "maybe"`},
		{name: "odd pairs", input: "aigw_ratelimit {\n key rpm\n}", wantErr: "want pairs"},
		{name: "bad number", input: "aigw_ratelimit {\n key rpm -5\n}", wantErr: `key rpm "-5"`},
		{name: "unknown limit", input: "aigw_ratelimit {\n key rph 5\n}", wantErr: `unknown limit "rph"`},
		{name: "bad budget", input: "aigw_ratelimit {\n tenant budget lots\n}", wantErr: `tenant budget "lots"`},
		{name: "model budget", input: "aigw_ratelimit {\n model budget 5\n}", wantErr: `unknown limit "budget"`},
		{name: "bad duration", input: "aigw_ratelimit {\n redis_timeout soon\n}", wantErr: `redis_timeout "soon"`},
		{name: "unknown option", input: "aigw_ratelimit {\n burst 5\n}", wantErr: `unrecognized aigw_ratelimit option "burst"`},
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
	aigw_ratelimit {
		on_redis_error closed
		time_zone America/New_York
		key rpm 600 tpm 100000 concurrency 10
		tenant budget 1000
	}
	respond "ok"
}`, "testdata/adapt.golden.json")
}

func TestParseUSD(t *testing.T) {
	for in, want := range map[string]int64{"1": 1_000_000_000_000, "0.5": 500_000_000_000, "99.000001": 99_000_001_000_000} {
		got, err := parseUSD(in)
		if err != nil || int64(got) != want {
			t.Errorf("parseUSD(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"0", "-1", "1e3", "", "10000000"} {
		if _, err := parseUSD(bad); err == nil {
			t.Errorf("parseUSD(%q) accepted", bad)
		}
	}
}
