package state

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestChatParsedOnceAndValidated(t *testing.T) {
	body := `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"x"}}]}]}`
	r, st := Attach(httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body)))
	req, e := st.Chat(r, 1<<20)
	if e != nil {
		t.Fatal(e)
	}
	if again, _ := st.Chat(r, 1<<20); again != req {
		t.Error("second Chat call parsed again")
	}
	if text, _ := req.Messages[0].Text(); text != "a" {
		t.Errorf("text of parts = %q", text)
	}
	if r2, st2 := Attach(r); st2 != st || r2 != r {
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
			r, st := Attach(req)
			_, e := st.Chat(r, tt.limit)
			if e == nil || e.Status != tt.status || e.Code != tt.code {
				t.Fatalf("got %v, want %d %s", e, tt.status, tt.code)
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
		r, st := Attach(httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body)))
		if _, e := st.Chat(r, 1<<20); e != nil {
			b.Fatal(e)
		}
	}
}
