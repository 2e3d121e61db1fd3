package guardrail

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
		{name: "defaults", input: "aigw_guardrail", want: Handler{}},
		{name: "policy argument", input: "aigw_guardrail bfsi-strict", want: Handler{Policy: "bfsi-strict"}},
		{name: "everything", input: `aigw_guardrail {
			policy permissive
			policies_file g.yaml
			shadow
			output off
			stream_window 512
			tenant_policies off
			refresh_interval 30s
		}`, want: Handler{Policy: "permissive", PoliciesFile: "g.yaml", Shadow: true, SkipOutput: true,
			StreamWindow: 512, TenantPolicies: &off, RefreshInterval: caddy.Duration(30 * time.Second)}},
		{name: "rails", input: `aigw_guardrail {
			self_check gpt-4o-mini {
				timeout 2s
				fail_closed
			}
			nemo http://127.0.0.1:8000 {
				config_id bank
				output
			}
		}`, want: Handler{
			SelfCheck: &SelfCheckConfig{Model: "gpt-4o-mini", RailConfig: RailConfig{Timeout: caddy.Duration(2 * time.Second), FailClosed: true}},
			NeMo:      &NeMoConfig{URL: "http://127.0.0.1:8000", ConfigID: "bank", RailConfig: RailConfig{Output: true}},
		}},
		{name: "rails on streams", input: `aigw_guardrail {
			nemo http://127.0.0.1:8000 {
				stream
				stream_bytes 256
				stream_wait 500ms
			}
		}`, want: Handler{
			NeMo: &NeMoConfig{URL: "http://127.0.0.1:8000", RailConfig: RailConfig{Stream: true, StreamBytes: 256,
				StreamWait: caddy.Duration(500 * time.Millisecond)}},
		}},
		{name: "rail bad stream_bytes", input: "aigw_guardrail {\n nemo http://x {\n stream_bytes 0\n }\n}", wantErr: `stream_bytes "0"`},
		{name: "rail without model", input: "aigw_guardrail {\n self_check\n}", wantErr: "wrong argument count"},
		{name: "rail unknown option", input: "aigw_guardrail {\n nemo http://x {\n model y\n }\n}", wantErr: `unrecognized option "model"`},
		{name: "two arguments", input: "aigw_guardrail a b", wantErr: "wrong argument count"},
		{name: "bad on/off", input: "aigw_guardrail {\n output maybe\n}", wantErr: `output "maybe"`},
		{name: "tiny window", input: "aigw_guardrail {\n stream_window 2\n}", wantErr: `stream_window "2"`},
		{name: "shadow with value", input: "aigw_guardrail {\n shadow yes\n}", wantErr: "wrong argument count"},
		{name: "unknown", input: "aigw_guardrail {\n mode strict\n}", wantErr: `unrecognized aigw_guardrail option "mode"`},
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
	aigw_guardrail bfsi-standard {
		stream_window 128
	}
}`, "testdata/adapt.golden.json")
}
