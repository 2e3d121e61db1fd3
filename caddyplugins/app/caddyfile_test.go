package app

import (
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aigw/aigw/caddyplugins/internal/adapttest"
)

func TestUnmarshalCaddyfile(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    App
		wantErr string
	}{
		{name: "empty", input: "aigw", want: App{}},
		{name: "everything", input: `aigw {
			database_url {env.DATABASE_URL}
			max_db_conns 8
			redis_url {env.REDIS_URL}
			models m.yaml
			providers p.yaml
			routing_rules r.yaml
			max_request_body 2MiB
			audit_queue_size 500
		}`, want: App{
			DatabaseURL: "{env.DATABASE_URL}", MaxDBConns: 8, RedisURL: "{env.REDIS_URL}",
			Models: "m.yaml", Providers: "p.yaml", RoutingRules: "r.yaml", MaxRequestBody: 2 << 20, AuditQueueSize: 500,
		}},
		{name: "bad queue", input: "aigw {\n audit_queue_size 0\n}", wantErr: `audit_queue_size "0"`},
		{name: "argument", input: "aigw on", wantErr: "wrong argument count"},
		{name: "bad conns", input: "aigw {\n max_db_conns many\n}", wantErr: `max_db_conns "many"`},
		{name: "tiny body", input: "aigw {\n max_request_body 10\n}", wantErr: `max_request_body "10"`},
		{name: "unknown", input: "aigw {\n database postgres://x\n}", wantErr: `unrecognized aigw option "database"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a App
			err := a.UnmarshalCaddyfile(caddyfile.NewTestDispenser(tt.input))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, a, cmpopts.IgnoreUnexported(App{})); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestAdaptGolden(t *testing.T) {
	adapttest.Golden(t, `{
	aigw {
		database_url {env.DATABASE_URL}
		models configs/models.yaml
		max_request_body 4MiB
	}
}

:8080 {
	respond "ok"
}`, "testdata/adapt.golden.json")
}
