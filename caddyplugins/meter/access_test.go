package meter

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/usage"
)

func TestAccessLogHasAccountingFieldsAndNoSecrets(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	h := &Handler{access: zap.New(core)}
	start := time.Now()
	st := &state.Request{ID: "req_1", Start: start, Model: testModel(), Provider: "openai", Attempts: 1,
		Key: &store.KeyRecord{ID: "0b9e6c1e-6a3c-4a3e-9f1a-2c8d5e7f9a10", Prefix: "sk-aigw-AbC", TenantSlug: "bank"}}
	st.SetBody([]byte(`{"messages":[{"role":"user","content":"my card is 4111 1111 1111 1111"}]}`))
	o := outcome{status: 200, endpoint: "/v1/chat/completions", end: start.Add(time.Second)}
	h.logAccess(st, &o, usage.Bill{Prompt: 10, Completion: 5, Source: usage.Reported}, usd(2_500_000), 300*time.Microsecond)
	entries := logs.All()
	if len(entries) != 1 {
		t.Fatalf("%d log entries", len(entries))
	}
	f := entries[0].ContextMap()
	if f["key_prefix"] != "sk-aigw-AbC" || f["tenant"] != "bank" || f["model"] != "gpt-4o" || f["status"] != int64(200) ||
		f["prompt_tokens"] != int64(10) || f["completion_tokens"] != int64(5) || f["cost_usd"] != "0.000002500000" {
		t.Errorf("fields = %v", f)
	}
	for k, v := range f {
		if s, ok := v.(string); ok && (strings.Contains(s, "4111") || strings.Contains(s, st.Key.ID)) {
			t.Errorf("field %s leaks prompt text or the key id: %q", k, s)
		}
	}
}
