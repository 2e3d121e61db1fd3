package ready

import (
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/aigw/aigw/caddyplugins/internal/adapttest"
)

func TestUnmarshalCaddyfile(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{"aigw_ready", 0, ""},
		{"aigw_ready {\n timeout 500ms\n}", 500 * time.Millisecond, ""},
		{"aigw_ready {\n timeout never\n}", 0, `timeout "never"`},
		{"aigw_ready now", 0, "wrong argument count"},
		{"aigw_ready {\n retries 2\n}", 0, `unrecognized aigw_ready option "retries"`},
	} {
		var h Handler
		err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser(tc.in))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || h.Timeout != caddy.Duration(tc.want) {
			t.Errorf("%q: timeout %v, err %v", tc.in, h.Timeout, err)
		}
	}
}

func TestAdaptGolden(t *testing.T) {
	adapttest.Golden(t, `:8080 {
	handle /readyz {
		aigw_ready {
			timeout 1s
		}
	}
}`, "testdata/adapt.golden.json")
}
