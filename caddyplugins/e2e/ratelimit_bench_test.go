package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/testdb"
)

// BenchmarkAuthRatelimitOverhead posts the bench chat request (gpt-4o through
// the fake provider) through the router alone, then with aigw_auth, then with
// aigw_auth and aigw_ratelimit on each backend. The differences in ns/op and
// cpu-µs/op (CPU of the whole test process: client, gateway and fake
// provider) are what auth and rate limiting add per request.
func BenchmarkAuthRatelimitOverhead(b *testing.B) {
	limits := "key rpm 1000000000 tpm 1000000000000 concurrency 100000\n" +
		"tenant rpm 1000000000 tpm 1000000000000 budget 1000000\nmodel rpm 1000000000\n"
	chains := []struct {
		name, chain string
		redis       bool
	}{
		{"route-only", "", false},
		{"auth", "aigw_auth", false},
		{"auth+ratelimit-memory", "aigw_auth\naigw_ratelimit {\nbackend memory\n" + limits + "}", false},
		{"auth+ratelimit-redis", "aigw_auth\naigw_ratelimit {\nbackend redis\nkey_prefix {$AIGW_RL_PREFIX}\n" + limits + "}", true},
	}
	path, _ := filepath.Abs("testdata/ratelimit/bench.Caddyfile")
	for _, c := range chains {
		b.Run(c.name, func(b *testing.B) {
			prefix := fmt.Sprintf("aigw-bench:%d:", time.Now().UnixNano())
			redisURL := ""
			if c.redis {
				redisURL = testdb.RedisURL(b)
				cleanRedis(b, redisURL, prefix)
			}
			g := startGatewayWith(b, path, shippedConfigs, "AIGW_BENCH_CHAIN="+c.chain, "REDIS_URL="+redisURL, "AIGW_RL_PREFIX="+prefix)
			benchPost(b, g, bytesFormat(benchBody, "gpt-4o"))
		})
	}
}

func benchPost(b *testing.B, g *gateway, body string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	post := func() {
		req, _ := http.NewRequest("POST", g.URL+"/v1/chat/completions", bytes.NewReader([]byte(body)))
		req.Header.Set("Authorization", "Bearer "+g.Key)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	post() // warm the key cache and connections
	b.ReportAllocs()
	b.SetParallelism(4)
	before := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			post()
		}
	})
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-before).Microseconds())/float64(b.N), "cpu-µs/op")
}

// cpuTime is the user plus system CPU time of this process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru) //nolint:errcheck
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
