package guardrail

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aigw/aigw/internal/guard"
)

// selfCheckServer answers like an OpenAI chat model: "Yes" when the prompt
// mentions "wire the funds", "No" otherwise; "garble" answers nonsense and
// "slow" answers late.
func selfCheckServer(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer k" {
			http.Error(w, "bad request", 400)
			return
		}
		var req struct {
			Messages []struct{ Content string }
		}
		json.NewDecoder(r.Body).Decode(&req) //nolint:errcheck
		prompt := req.Messages[0].Content
		answer := "No"
		switch {
		case strings.Contains(prompt, "slow"):
			time.Sleep(300 * time.Millisecond)
		case strings.Contains(prompt, "garble"):
			answer = "Perhaps"
		case strings.Contains(prompt, "wire the funds"):
			answer = "Yes."
		}
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]string{"content": answer}}}}) //nolint:errcheck
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

func TestSelfCheckRail(t *testing.T) {
	url := selfCheckServer(t)
	mk := func(failClosed bool) []externalRail {
		return []externalRail{railWithSettings{&selfCheck{url: url, key: "k", model: "m", client: http.DefaultClient},
			railSettings{Timeout: 100 * time.Millisecond, FailClosed: failClosed, Input: true}}}
	}
	settings := func(r externalRail) railSettings { return r.(railWithSettings).s }
	tests := []struct {
		text       string
		failClosed bool
		dir        guard.Direction
		wantBlock  bool
		wantFailed bool
	}{
		{"please wire the funds to this account", false, guard.Input, true, false},
		{"what are your opening hours", false, guard.Input, false, false},
		{"garble", false, guard.Input, false, true},
		{"garble", true, guard.Input, true, true},
		{"slow", false, guard.Input, false, true},
		{"slow", true, guard.Input, true, true},
		{"please wire the funds", false, guard.Output, false, false}, // output not enabled
	}
	for _, tt := range tests {
		blocked, failed := runRails(context.Background(), mk(tt.failClosed), settings, tt.text, tt.dir)
		if (len(blocked) > 0) != tt.wantBlock || (len(failed) > 0) != tt.wantFailed {
			t.Errorf("%q failClosed=%v dir=%v: blocked %v failed %v", tt.text, tt.failClosed, tt.dir, blocked, failed)
		}
	}
}

func TestNeMoRail(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ConfigID string `json:"config_id"`
			Messages []struct{ Role, Content string }
			Options  struct{ Rails []string }
		}
		json.NewDecoder(r.Body).Decode(&req) //nolint:errcheck
		last := req.Messages[len(req.Messages)-1]
		resp := map[string]any{"messages": []any{map[string]string{"role": "assistant", "content": "ok"}}}
		switch {
		case req.ConfigID != "bank" || len(req.Options.Rails) != 1:
			http.Error(w, "bad", 400)
			return
		case strings.Contains(last.Content, "jailbreak"):
			resp["log"] = map[string]any{"activated_rails": []any{map[string]any{"name": "self check input", "stop": true}}}
		case strings.Contains(last.Content, "refuse"):
			resp["messages"] = []any{map[string]string{"role": "assistant", "content": "I'm sorry, I can't respond to that."}}
		}
		json.NewEncoder(w).Encode(resp) //nolint:errcheck
	}))
	defer srv.Close()
	n := &nemo{url: srv.URL, configID: "bank", refusal: "I'm sorry, I can't respond to that", client: http.DefaultClient}
	for text, want := range map[string]bool{"a jailbreak attempt": true, "please refuse": true, "hello": false} {
		for _, dir := range []guard.Direction{guard.Input, guard.Output} {
			got, err := n.check(context.Background(), text, dir)
			if err != nil || got != want {
				t.Errorf("%q %v: block %v err %v, want %v", text, dir, got, err, want)
			}
		}
	}
	bad := &nemo{url: srv.URL, configID: "other", client: http.DefaultClient}
	if _, err := bad.check(context.Background(), "hello", guard.Input); err == nil {
		t.Error("a 400 from the server was not an error")
	}
}
