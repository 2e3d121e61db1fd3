package fakeprovider

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func post(t *testing.T, url string, hdr map[string]string, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var eventName = regexp.MustCompile(`(?m)^event: (\w+)$`)

// TestWireFormats checks each API's credential header, its answer and its
// stream framing.
func TestWireFormats(t *testing.T) {
	srv := httptest.NewServer(New("k"))
	defer srv.Close()
	anth := map[string]string{"X-Api-Key": "k", "Anthropic-Version": "2023-06-01"}
	gem := map[string]string{"X-Goog-Api-Key": "k"}
	msg := `{"model":"claude","max_tokens":3,"stream":%s,"messages":[{"role":"user","content":"hi"}]}`
	gbody := `{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":3}}`
	tests := []struct {
		name, path string
		hdr        map[string]string
		body       string
		wantStatus int
		check      func(t *testing.T, h http.Header, body string)
	}{
		{"anthropic needs x-api-key", "/v1/messages", map[string]string{"Authorization": "Bearer k"}, strings.Replace(msg, "%s", "false", 1), 401, nil},
		{"anthropic message", "/v1/messages", anth, strings.Replace(msg, "%s", "false", 1), 200, func(t *testing.T, h http.Header, body string) {
			var m struct {
				StopReason string `json:"stop_reason"`
				Usage      struct {
					OutputTokens int `json:"output_tokens"`
				} `json:"usage"`
			}
			if json.Unmarshal([]byte(body), &m) != nil || m.StopReason != "max_tokens" || m.Usage.OutputTokens != 3 || h.Get("Request-Id") == "" {
				t.Errorf("message %s", body)
			}
		}},
		{"anthropic events in order", "/v1/messages", anth, strings.Replace(msg, "%s", "true", 1), 200, func(t *testing.T, h http.Header, body string) {
			var names []string
			for _, m := range eventName.FindAllStringSubmatch(body, -1) {
				names = append(names, m[1])
			}
			want := "message_start ping content_block_start content_block_delta content_block_delta content_block_delta content_block_stop message_delta message_stop"
			if strings.Join(names, " ") != want {
				t.Errorf("events %v", names)
			}
		}},
		{"gemini needs its key", "/v1beta/models/g:generateContent", nil, gbody, 400, nil},
		{"gemini answer", "/v1beta/models/g:generateContent", gem, gbody, 200, func(t *testing.T, _ http.Header, body string) {
			if !strings.Contains(body, `"finishReason":"MAX_TOKENS"`) || !strings.Contains(body, `"candidatesTokenCount":3`) {
				t.Errorf("answer %s", body)
			}
		}},
		{"gemini sse", "/v1beta/models/g:streamGenerateContent?alt=sse", gem, gbody, 200, func(t *testing.T, h http.Header, body string) {
			if h.Get("Content-Type") != "text/event-stream" || strings.Count(body, "data: ") != 3 || strings.Contains(body, "[DONE]") {
				t.Errorf("sse %s", body)
			}
		}},
		{"gemini json array", "/v1/models/g:streamGenerateContent", gem, gbody, 200, func(t *testing.T, _ http.Header, body string) {
			var arr []json.RawMessage
			if err := json.Unmarshal([]byte(body), &arr); err != nil || len(arr) != 3 {
				t.Errorf("array %s: %v", body, err)
			}
		}},
		{"gemini quota error", "/v1beta/models/fake-status-429:generateContent", gem, gbody, 429, func(t *testing.T, h http.Header, body string) {
			if !strings.Contains(body, "RESOURCE_EXHAUSTED") || h.Get("Retry-After") != "1" {
				t.Errorf("error %s %v", body, h)
			}
		}},
		{"anthropic overloaded", "/v1/messages", anth, `{"model":"fake-overloaded","max_tokens":3,"messages":[{"role":"user","content":"hi"}]}`, 529, func(t *testing.T, _ http.Header, body string) {
			if !strings.Contains(body, `"overloaded_error"`) {
				t.Errorf("error %s", body)
			}
		}},
		{"azure needs api-key and api-version", "/openai/deployments/d/chat/completions", map[string]string{"Api-Key": "k"}, `{"model":"d","messages":[{"role":"user","content":"hi"}]}`, 401, nil},
		{"azure", "/openai/deployments/d/chat/completions?api-version=2024-10-21", map[string]string{"Api-Key": "k"}, `{"model":"d","messages":[{"role":"user","content":"hi"}]}`, 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := post(t, srv.URL+tt.path, tt.hdr, tt.body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if tt.check != nil {
				tt.check(t, resp.Header, body)
			}
		})
	}
}

func TestFlakyFailsThenAnswers(t *testing.T) {
	srv := httptest.NewServer(New(""))
	defer srv.Close()
	var codes []int
	for i := 0; i < 3; i++ {
		resp, _ := post(t, srv.URL+"/v1/chat/completions", nil, `{"model":"fake-flaky-2","messages":[{"role":"user","content":"hi"}]}`)
		codes = append(codes, resp.StatusCode)
	}
	if !bytes.Equal([]byte{byte(codes[0] / 100), byte(codes[1] / 100), byte(codes[2] / 100)}, []byte{5, 5, 2}) {
		t.Errorf("codes %v, want 500 500 200", codes)
	}
}
