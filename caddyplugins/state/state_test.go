package state

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/money"
	"github.com/aigw/aigw/internal/usage"
)

func TestChatParsedOnceAndValidated(t *testing.T) {
	body := `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"x"}}]}]}`
	r, st := Attach(httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body)), 1<<20)
	req, err := st.Chat(r)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := st.Chat(r); again != req {
		t.Error("second Chat call parsed again")
	}
	if text, _ := req.Messages[0].Text(); text != "a" {
		t.Errorf("text of parts = %q", text)
	}
	if r2, st2 := Attach(r, 1<<20); st2 != st || r2 != r {
		t.Error("Attach created a second state")
	}
}

func TestBodyErrors(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		limit  int64
		status int
		code   string
	}{
		{"too large", strings.Repeat("x", 2000), 1024, http.StatusRequestEntityTooLarge, "request_too_large"},
		{"empty", "", 1024, http.StatusBadRequest, "invalid_json"},
		{"syntax", `{"model":`, 1024, http.StatusBadRequest, "invalid_json"},
		{"no messages", `{"model":"m"}`, 1024, http.StatusBadRequest, "missing_required_parameter"},
		{"bad max_tokens", `{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0}`, 1024, http.StatusBadRequest, "integer_below_min_value"},
		{"bad content", `{"model":"m","messages":[{"role":"user","content":5}]}`, 1024, http.StatusBadRequest, "invalid_type"},
		{"decoded field of the wrong type", `{"model":"m","stream":"yes","messages":[{"role":"user","content":"x"}]}`, 1024, http.StatusBadRequest, "invalid_type"},
		{"undecoded parameter of the wrong type", `{"model":"m","temperature":"hot","messages":[{"role":"user","content":"x"}]}`, 1024, http.StatusBadRequest, "invalid_type"},
		{"invalid UTF-8", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"\xff\"}]}", 1024, http.StatusBadRequest, "invalid_encoding"},
		{"lone surrogate", `{"model":"m","messages":[{"role":"user","content":"\udc00"}]}`, 1024, http.StatusBadRequest, "invalid_encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			req.ContentLength = -1 // make the reader, not the header, hit the limit
			r, st := Attach(req, tt.limit)
			_, err := st.Chat(r)
			var e *apierr.Error
			if !errors.As(err, &e) || e.Status != tt.status || e.Code != tt.code {
				t.Fatalf("got %v, want %d %s", err, tt.status, tt.code)
			}
			if e.Status == http.StatusBadRequest && e.Code != "invalid_json" && e.Param == "" {
				t.Errorf("%s: no param named", e.Message)
			}
			if strings.Contains(e.Message, tt.body) && tt.body != "" {
				t.Error("error echoes the body")
			}
		})
	}
}

func BenchmarkAttachAndParseChat(b *testing.B) {
	body := `{"model":"gpt-4o","max_tokens":18,"messages":[{"role":"system","content":"You are a helpful banking assistant."},{"role":"user","content":"Summarise the attached quarterly statement for a retail banking customer in three sentences, listing total deposits, withdrawals, the closing balance and any fees charged."}]}`
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		r, st := Attach(httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body)), 1<<20)
		if _, err := st.Chat(r); err != nil {
			b.Fatal(err)
		}
	}
}

func TestEndpointWorkedOutOnce(t *testing.T) {
	for path, want := range map[string]Endpoint{
		"/v1/chat/completions": EndpointChat, "/api/v1/chat/completions": EndpointChat,
		"/v1/embeddings": EndpointEmbeddings, "/api/v1/models": EndpointModels, "/v1/models/gpt-4o": EndpointModel,
		"/v1/completions": EndpointOther, "/healthz": EndpointOther,
	} {
		_, st := Attach(httptest.NewRequest("GET", path, nil), 0)
		if st.Endpoint != want || strings.HasPrefix(st.Path, "/api") {
			t.Errorf("%s: endpoint %d path %q, want %d", path, st.Endpoint, st.Path, want)
		}
	}
	_, st := Attach(httptest.NewRequest("GET", "/api/v1/models/mock-gpt", nil), 0)
	if st.ModelID() != "mock-gpt" || st.bodyLimit != DefaultBodyLimit {
		t.Errorf("model id %q, body limit %d", st.ModelID(), st.bodyLimit)
	}
}

func TestBillAndCost(t *testing.T) {
	m := &catalog.Model{ID: "gpt-4o", Provider: "openai", InputRate: 2_500_000, CachedInputRate: 1_250_000, OutputRate: 10_000_000}
	tests := []struct {
		name string
		st   Request
		bill usage.Bill
		cost money.Pico
	}{
		{"reported", Request{Model: m, Attempts: 1, Called: true,
			Usage: Usage{PromptTokens: 100, CachedTokens: 40, CompletionTokens: 10, Reported: true}},
			usage.Bill{Prompt: 100, Cached: 40, Completion: 10, Source: usage.Reported}, 60*2_500_000 + 40*1_250_000 + 10*10_000_000},
		{"cut stream counts what the provider generated", Request{Model: m, Attempts: 1, Called: true, Stream: true, Counted: true, Content: 41, EstPromptTokens: 30},
			usage.Bill{Prompt: 30, Completion: 11, Source: usage.Counted}, 30*2_500_000 + 11*10_000_000},
		{"no estimate: prompt from the body's size", Request{Model: m, Attempts: 1, Called: true, Counted: true, Content: 4, promptBytes: 400},
			usage.Bill{Prompt: 100, Completion: 1, Source: usage.Counted}, 100*2_500_000 + 10_000_000},
		{"refused before the provider", Request{Model: m, ErrorCode: "rate_limit_exceeded", EstPromptTokens: 30}, usage.Bill{}, 0},
		{"provider failed", Request{Model: m, Attempts: 2, EstPromptTokens: 30, ErrorCode: "upstream_error"}, usage.Bill{}, 0},
		{"unresolved model", Request{Attempts: 0}, usage.Bill{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, c := tt.st.Bill()
			if b != tt.bill || c != tt.cost {
				t.Errorf("Bill = %+v, %s; want %+v, %s", b, c, tt.bill, tt.cost)
			}
		})
	}
}
