package route

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/oai"
)

func TestSSEUsageAcrossSplitReads(t *testing.T) {
	stream := "data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"hi\"}}],\"usage\":null}\n\n" +
		"data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18,\"prompt_tokens_details\":{\"cached_tokens\":3}}}\r\n\r\n" +
		"data: [DONE]\n\n"
	withoutUsage := "data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"hi\"}}],\"usage\":null}\n\ndata: [DONE]\n\n"
	want := state.Usage{PromptTokens: 11, CompletionTokens: 7, CachedTokens: 3, Reported: true}
	for split := 1; split < len(stream); split++ {
		// The relay hands the watcher whole events: the first part up to its
		// last blank line, then the rest.
		b := []byte(stream)
		end := eventsEnd(b[:split])
		var s sseUsage
		out := append(s.events(b[:end:end], true), s.events(b[end:], true)...)
		if !s.found || s.usage != want {
			t.Fatalf("split at %d: usage %+v found %v, want %+v", split, s.usage, s.found, want)
		}
		if string(out) != withoutUsage {
			t.Fatalf("split at %d: relayed %q, want %q", split, out, withoutUsage)
		}
	}
}

func TestSSEUsageAbsent(t *testing.T) {
	var s sseUsage
	stream := "data: {\"choices\":[{\"delta\":{\"content\":\"the word \\\"usage\\\":{ in text\"}}]}\n\ndata: [DONE]\n\n"
	if out := s.events([]byte(stream), true); string(out) != stream {
		t.Errorf("relayed %q, want it unchanged", out)
	}
	if s.found {
		t.Errorf("found usage %+v in a stream without one", s.usage)
	}
}

func TestUsageFromBody(t *testing.T) {
	u, ok := usageFromBody([]byte(`{"id":"x","usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}`))
	if !ok || u != (state.Usage{PromptTokens: 5, CompletionTokens: 2, Reported: true}) {
		t.Errorf("usage = %+v, %v", u, ok)
	}
	if _, ok := usageFromBody([]byte(`{"id":"x"}`)); ok {
		t.Error("usage found in a body without one")
	}
}

func BenchmarkSSEUsagePerChunk(b *testing.B) {
	chunk := []byte("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" word\"},\"finish_reason\":null}]}\n\n")
	var s sseUsage
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.events(chunk, true)
	}
}

func TestUsageFromBodyIgnoresUsageInText(t *testing.T) {
	body := `{"choices":[{"message":{"content":"write \"usage\":{\"prompt_tokens\":99} please {"}}],` +
		`"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7,"prompt_tokens_details":{"cached_tokens":1}}}`
	u, ok := usageFromBody([]byte(body))
	if !ok || u != (state.Usage{PromptTokens: 5, CompletionTokens: 2, CachedTokens: 1, Reported: true}) {
		t.Errorf("usage = %+v, %v", u, ok)
	}
	for _, bad := range []string{`{"usage":null}`, `{"usage":{"prompt_tokens":5`, `{"usage": "x"}`} {
		if u, ok := usageFromBody([]byte(bad)); ok {
			t.Errorf("%s: usage %+v", bad, u)
		}
	}
}

func TestEventAround(t *testing.T) {
	b := []byte("data: a\n\nevent: x\r\ndata: b\r\n\r\ndata: c\n\ndata: d")
	for _, tt := range []struct {
		at         string
		start, end int
	}{
		{": a", 0, 9}, {": x", 9, 30}, {": b", 9, 30}, {": c", 30, 39}, {": d", 39, len(b)},
	} {
		i := strings.Index(string(b), tt.at)
		if s, e := eventAround(b, i); s != tt.start || e != tt.end {
			t.Errorf("event around %q = [%d,%d) %q, want [%d,%d)", tt.at, s, e, b[s:e], tt.start, tt.end)
		}
	}
}

// FuzzWalkUsage checks the usage walk against encoding/json: whatever it
// reads, a decode reads the same.
func FuzzWalkUsage(f *testing.F) {
	f.Add(`{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18,"prompt_tokens_details":{"cached_tokens":3}}`)
	f.Add(`{"prompt_tokens":1,"prompt_tokens_details":null,"completion_tokens_details":{"reasoning_tokens":2}}`)
	f.Fuzz(func(t *testing.T, obj string) {
		got, ok := walkUsage([]byte(obj), 0)
		if !ok || !json.Valid([]byte(obj)) {
			return
		}
		var u oai.Usage
		if err := json.Unmarshal([]byte(obj), &u); err != nil {
			t.Fatalf("walk read %+v from %s, decode failed: %v", got, obj, err)
		}
		if want := toState(&u); got != want {
			t.Fatalf("%s: walk %+v, decode %+v", obj, got, want)
		}
	})
}
