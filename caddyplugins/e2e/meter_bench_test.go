package e2e

import (
	"bytes"
	"io"
	"net/http"
	"path/filepath"
	"testing"
)

// benchMeterChain posts chat requests through auth (+ meter) + route in
// process; the difference between the two benchmarks is the meter's cost,
// its background writes to PostgreSQL and the audit trail included.
func benchMeterChain(b *testing.B, caddyfile string) {
	g := startGatewayWith(b, caddyfile, shippedConfigs, "XDG_DATA_HOME="+b.TempDir())
	body := []byte(bytesFormat(benchBody, "gpt-4o"))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", g.URL+"/v1/chat/completions", bytes.NewReader(body))
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
	})
}

func BenchmarkMeterChainWithMeter(b *testing.B) { benchMeterChain(b, meterCaddyfile) }

func BenchmarkMeterChainWithoutMeter(b *testing.B) {
	benchMeterChain(b, filepath.Join("testdata", "meter", "nometer.Caddyfile"))
}
