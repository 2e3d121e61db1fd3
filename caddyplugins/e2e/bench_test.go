package e2e

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

const benchBody = `{"model":"%s","max_tokens":18,"messages":[{"role":"system","content":"You are a helpful banking assistant."},{"role":"user","content":"Summarise the attached quarterly statement for a retail banking customer in three sentences, listing total deposits, withdrawals, the closing balance and any fees charged."}]}`

// benchChain posts chat requests through the in-process shipped chain; the
// figure includes the loopback HTTP client and the fake provider, so compare
// it with BenchmarkDirectUpstream, which measures those alone.
func benchChain(b *testing.B, model string) {
	g := startGateway(b, shippedConfigs)
	body := []byte(bytesFormat(benchBody, model))
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

func BenchmarkChainOpenAIUpstream(b *testing.B) { benchChain(b, "gpt-4o") }
func BenchmarkChainMockProvider(b *testing.B)   { benchChain(b, "mock-gpt") }

func bytesFormat(f, model string) string {
	return string(bytes.Replace([]byte(f), []byte("%s"), []byte(model), 1))
}
