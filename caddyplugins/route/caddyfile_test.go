package route

import (
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/aigw/aigw/caddyplugins/internal/adapttest"
)

func TestUnmarshalCaddyfile(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    int
		wantErr string
	}{
		{name: "defaults", input: `aigw_route`},
		{name: "idle conns", input: "aigw_route {\n max_idle_conns_per_provider 64\n}", want: 64},
		{name: "argument", input: `aigw_route openai`, wantErr: "wrong argument count"},
		{name: "zero", input: "aigw_route {\n max_idle_conns_per_provider 0\n}", wantErr: `"0"`},
		{name: "unknown option", input: "aigw_route {\n strategy fastest\n}", wantErr: `unrecognized aigw_route option "strategy"`},
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
			if err != nil || h.MaxIdleConnsPerProvider != tt.want {
				t.Fatalf("got %d, %v; want %d", h.MaxIdleConnsPerProvider, err, tt.want)
			}
		})
	}
}

func TestAdaptGolden(t *testing.T) {
	adapttest.Golden(t, `:8080 {
	aigw_route
	aigw_route {
		max_idle_conns_per_provider 32
	}
}`, "testdata/adapt.golden.json")
}
