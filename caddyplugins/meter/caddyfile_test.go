package meter

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
		{name: "defaults", input: `aigw_meter`, want: Handler{}},
		{name: "all options", input: `aigw_meter {
			spool_dir /var/lib/aigw/spool
			buffer_size 1000
			batch_size 100
			flush_interval 50ms
			access_log off
			audit_requests off
			abuse_threshold 20
			abuse_window 30s
		}`, want: Handler{
			SpoolDir: "/var/lib/aigw/spool", BufferSize: 1000, BatchSize: 100,
			FlushInterval: caddy.Duration(50 * time.Millisecond), DisableAccessLog: true, DisableAuditRequests: true,
			AbuseThreshold: 20, AbuseWindow: caddy.Duration(30 * time.Second),
		}},
		{name: "on is the default", input: "aigw_meter {\n access_log on\n}", want: Handler{}},
		{name: "argument", input: `aigw_meter yes`, wantErr: "wrong argument count"},
		{name: "bad size", input: "aigw_meter {\n buffer_size 0\n}", wantErr: `buffer_size "0"`},
		{name: "bad duration", input: "aigw_meter {\n flush_interval soon\n}", wantErr: `flush_interval "soon"`},
		{name: "bad switch", input: "aigw_meter {\n access_log maybe\n}", wantErr: `access_log "maybe": want on or off`},
		{name: "unknown option", input: "aigw_meter {\n spool /tmp\n}", wantErr: `unrecognized aigw_meter option "spool"`},
		{name: "missing value", input: "aigw_meter {\n batch_size\n}", wantErr: "wrong argument count"},
		{name: "moved to the app", input: "aigw_meter {\n audit_queue_size 500\n}", wantErr: "aigw global block"},
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

func TestValidate(t *testing.T) {
	h := Handler{hasDB: true}
	h.setDefaults()
	if err := h.Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	h.BatchSize = h.BufferSize + 1
	if err := h.Validate(); err == nil {
		t.Error("batch_size above buffer_size accepted")
	}
	if err := (&Handler{}).Validate(); err != errNoDatabase {
		t.Errorf("no database: %v", err)
	}
}

func TestAdaptGolden(t *testing.T) {
	adapttest.Golden(t, `:8080 {
	route {
		aigw_meter {
			buffer_size 10000
			flush_interval 100ms
		}
		respond "ok"
	}
}`, "testdata/adapt.golden.json")
}
