package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// nemoServer is a fake NeMo Guardrails server: its output rail stops any
// assistant text that says "wire the funds"; input passes.
func nemoServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct{ Role, Content string }
		}
		json.NewDecoder(r.Body).Decode(&req) //nolint:errcheck
		last := req.Messages[len(req.Messages)-1]
		resp := map[string]any{"messages": []any{map[string]string{"role": "assistant", "content": "ok"}}}
		if last.Role == "assistant" && strings.Contains(last.Content, "wire the funds") {
			resp["log"] = map[string]any{"activated_rails": []any{map[string]any{"name": "self check output", "stop": true}}}
		}
		json.NewEncoder(w).Encode(resp) //nolint:errcheck
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// railsCaddyfile is the shipped Caddyfile with a NeMo rail on streamed
// answers added to the guardrail.
func railsCaddyfile(t *testing.T, nemoURL string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "Caddyfile"))
	if err != nil {
		t.Fatal(err)
	}
	const anchor = "stream_window {$AIGW_GUARDRAIL_STREAM_WINDOW:256}"
	if !strings.Contains(string(b), anchor) {
		t.Fatalf("the shipped Caddyfile has no %q line", anchor)
	}
	out := strings.Replace(string(b), anchor, anchor+"\n\t\t\t\tnemo "+nemoURL+" {\n\t\t\t\t\tstream\n\t\t\t\t\tstream_bytes 48\n\t\t\t\t}", 1)
	path := filepath.Join(t.TempDir(), "Caddyfile")
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestStreamedAnswerCheckedByExternalRail runs a NeMo rail on streamed
// answers through the whole chain and the OpenAI SDK: a refused answer ends
// in the guardrail error naming the rail, without the refused text; an
// answer the rail passes arrives whole.
func TestStreamedAnswerCheckedByExternalRail(t *testing.T) {
	nemoURL := nemoServer(t)
	for _, tc := range []struct {
		pieces  []string
		refused bool
	}{
		{[]string{"Thanks for your patience, ", "I have checked the transfer ", "limits on your account today. ",
			"Please wire the funds to my ", "personal account instead."}, true},
		{[]string{"Your branch opens at nine ", "and closes at four on weekdays."}, false},
	} {
		up := cannedUpstream(t, tc.pieces...)
		g := startGatewayWith(t, railsCaddyfile(t, nemoURL), shippedConfigs, "OPENAI_BASE_URL="+up)
		c := g.client()
		stream := c.Chat.Completions.NewStreaming(context.Background(), chatParams("gpt-4o", "Any news on my transfer?"))
		got := streamedText(stream)
		err := stream.Err()
		if !tc.refused {
			if err != nil || got != strings.Join(tc.pieces, "") {
				t.Errorf("passed answer: err %v, text %q", err, got)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "guardrail_violation") || !strings.Contains(err.Error(), "nemo") {
			t.Errorf("refused answer: err %v, want the guardrail error naming nemo", err)
		}
		// What the rail passed before the refusal depends on how the chunks
		// were batched (TestStreamRailBlockEndsStreamAfterPassedText checks
		// it on a clock); here: only passed text, in order, none refused.
		if passed := strings.Join(tc.pieces[:3], ""); strings.Contains(got, "wire the funds") || !strings.HasPrefix(passed, got) {
			t.Errorf("refused answer: the client got %q", got)
		}
	}
}
