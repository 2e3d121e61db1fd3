package ratelimit

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aigw/aigw/caddyplugins/state"
)

// BenchmarkServeHTTP is the handler's own cost per admitted request, in
// process, with limits on the key, tenant and model: estimate (the request
// already decoded, as the chain's first reader leaves it), reservation,
// headers and settlement.
func BenchmarkServeHTTP(b *testing.B) {
	h := newTestHandler(b, &Limits{RPM: 1 << 40, TPM: 1 << 50}, &Limits{RPM: 1 << 40}, &Limits{Concurrency: 1 << 20})
	key := testKey()
	next := nextFunc(func(w http.ResponseWriter, r *http.Request) error {
		st := state.From(r)
		st.Usage = state.Usage{PromptTokens: 10, CompletionTokens: 10, Reported: true}
		st.Model, _ = h.catalog.Resolve("gpt-4o")
		st.Attempts, st.Called = 1, true
		w.WriteHeader(200)
		return nil
	})
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		r := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(chatBody))
		r, st := state.Attach(r, 0)
		st.Key = key
		if _, err := st.Chat(r); err != nil {
			b.Fatal(err)
		}
		w := httptest.NewRecorder()
		b.StartTimer()
		if err := h.ServeHTTP(w, r, next); err != nil || w.Code != 200 {
			b.Fatal(err, w.Code)
		}
	}
}
