package e2e

import (
	"strconv"
	"testing"
)

// TestRedisUnreachable checks both failure modes with a Redis that refuses
// connections: open keeps enforcing limits in process, closed refuses with 503.
func TestRedisUnreachable(t *testing.T) {
	deadRedis := "redis://127.0.0.1:" + strconv.Itoa(freePort(t)) + "/0"
	for _, tt := range []struct {
		mode   string
		status []int
	}{
		{"open", []int{200, 200, 429}},
		{"closed", []int{503, 503, 503}},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			g := startGatewayWith(t, rlCaddyfile, shippedConfigs,
				"REDIS_URL="+deadRedis, "AIGW_RL_ON_ERROR="+tt.mode, "AIGW_KEY_RPM=2")
			hdr := map[string]string{"Authorization": "Bearer " + g.Key}
			for i, want := range tt.status {
				resp, body := g.rawCall(t, "/v1/chat/completions", mockChat, hdr)
				if resp.StatusCode != want {
					t.Errorf("call %d: %d %s, want %d", i, resp.StatusCode, body, want)
				}
				if want == 503 && resp.Header.Get("Retry-After") != "" {
					t.Errorf("call %d: a 503 with Retry-After", i)
				}
			}
		})
	}
}
