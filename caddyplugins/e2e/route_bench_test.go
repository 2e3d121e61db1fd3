package e2e

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// benchRouteStream posts streamed chat requests (max_tokens 18: 20 chunks)
// for model through the in-process chain and reads each stream to its end.
func benchRouteStream(b *testing.B, g *gateway, model string) {
	body := []byte(bytesFormat(`{"model":"%s","max_tokens":18,"stream":true,"messages":[{"role":"system","content":"You are a helpful banking assistant."},{"role":"user","content":"Summarise the attached quarterly statement for a retail banking customer in three sentences, listing total deposits, withdrawals, the closing balance and any fees charged."}]}`, model))
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
			answer, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.HasSuffix(answer, []byte("data: [DONE]\n\n")) {
				b.Fatalf("status %d, stream %q", resp.StatusCode, answer)
			}
		}
	})
}

// BenchmarkRouteStreamOpenAI streams from an OpenAI deployment (usage asked
// for and hidden from the client).
func BenchmarkRouteStreamOpenAI(b *testing.B) {
	benchRouteStream(b, startGateway(b, shippedConfigs), "gpt-4o")
}

// BenchmarkRouteStreamAnthropic streams from an Anthropic deployment,
// translated event by event.
func BenchmarkRouteStreamAnthropic(b *testing.B) {
	benchRouteStream(b, startRouteGateway(b).gateway, "claude-ok")
}

// BenchmarkRouteStreamGemini streams from a Gemini deployment, translated
// chunk by chunk.
func BenchmarkRouteStreamGemini(b *testing.B) {
	benchRouteStream(b, startRouteGateway(b).gateway, "gemini-ok")
}
