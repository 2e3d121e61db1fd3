package gemini

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/providers"
	"github.com/aigw/aigw/internal/providers/providertest"
	"github.com/aigw/aigw/internal/sse"
)

func parse(t *testing.T, name string) *oai.ChatParams {
	t.Helper()
	r, err := oai.ParseParams(providertest.Read(t, filepath.Join("..", "testdata", name+".json")))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestBuildRequestGolden translates the shared OpenAI requests (tools and
// tool results, images, JSON schema, JSON mode) and compares the
// generateContent bodies with the golden files.
func TestBuildRequestGolden(t *testing.T) {
	for _, name := range []string{"tools", "images", "json_schema", "json_object"} {
		t.Run(name, func(t *testing.T) {
			body, e := BuildRequest(parse(t, name), Options{})
			if e != nil {
				t.Fatal(e)
			}
			providertest.Golden(t, filepath.Join("testdata", name+".request.json"), body)
		})
	}
}

func TestPath(t *testing.T) {
	if got := Path("gemini-2.5-flash", true); got != "/models/gemini-2.5-flash:streamGenerateContent?alt=sse" {
		t.Errorf("stream path = %q", got)
	}
	if got := Path("gemini-2.5-flash", false); got != "/models/gemini-2.5-flash:generateContent" {
		t.Errorf("path = %q", got)
	}
}

func TestBuildRequestRefusals(t *testing.T) {
	tests := []struct {
		name, body, wantParam string
		drop                  bool
	}{
		{"logit bias", `{"model":"m","logit_bias":{"1":2},"messages":[{"role":"user","content":"hi"}]}`, "logit_bias", false},
		{"n in a stream", `{"model":"m","n":2,"stream":true,"messages":[{"role":"user","content":"hi"}]}`, "n", false},
		{"tool result without call", `{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"x","content":"1"}]}`, "messages[1].tool_call_id", false},
		{"bad response format", `{"model":"m","response_format":{"type":"yaml"},"messages":[{"role":"user","content":"hi"}]}`, "response_format.type", false},
		{"dropped", `{"model":"m","logit_bias":{"1":2},"messages":[{"role":"user","content":"hi"}]}`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := oai.ParseParams([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			_, err = BuildRequest(r, Options{DropParams: tt.drop})
			if tt.wantParam == "" {
				if err != nil {
					t.Fatalf("err = %v, want the parameter dropped", err)
				}
				return
			}
			var e *apierr.Error
			if !errors.As(err, &e) || e.Status != 400 || e.Param != tt.wantParam {
				t.Fatalf("e = %v, want 400 naming %q", e, tt.wantParam)
			}
		})
	}
}

func TestTranslateResponseGolden(t *testing.T) {
	for _, name := range []string{"answer_function_call", "answer_thought", "answer_safety"} {
		t.Run(name, func(t *testing.T) {
			out, _, err := TranslateResponse(providertest.Read(t, filepath.Join("testdata", name+".json")), "chatcmpl-x", "gemini-x", 1700000000)
			if err != nil {
				t.Fatal(err)
			}
			providertest.Golden(t, filepath.Join("testdata", name+".openai.json"), out)
		})
	}
}

func translateStream(t testing.TB, in []byte, includeUsage bool) ([]byte, bool, error) {
	s := NewStream("chatcmpl-x", "gemini-x", 1700000000, includeUsage)
	s.Provider, s.Key = "gemini", "AIza-secret"
	r := sse.NewReader(bytes.NewReader(in), nil)
	var out []byte
	for {
		ev, err := r.Next()
		if err == io.EOF {
			out, err := s.End(out)
			return out, err == nil, nil
		}
		if err != nil {
			return out, false, err
		}
		if out, err = s.Event(out, ev); err != nil {
			return out, false, err
		}
	}
}

func TestStreamGolden(t *testing.T) {
	for _, tt := range []struct {
		name         string
		includeUsage bool
	}{{"stream_text", true}, {"stream_function_call", false}} {
		t.Run(tt.name, func(t *testing.T) {
			out, ok, err := translateStream(t, providertest.Read(t, filepath.Join("testdata", tt.name+".sse")), tt.includeUsage)
			if err != nil || !ok {
				t.Fatalf("ok %v err %v", ok, err)
			}
			providertest.Golden(t, filepath.Join("testdata", tt.name+".openai.sse"), out)
		})
	}
}

func TestStreamWithoutFinishIsCut(t *testing.T) {
	in := "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hel\"}]}}]}\r\n\r\n"
	_, ok, err := translateStream(t, []byte(in), false)
	if err != nil || ok {
		t.Errorf("a stream without finishReason ended ok=%v err=%v; want it reported cut", ok, err)
	}
}

func TestStreamErrorChunk(t *testing.T) {
	in := "data: {\"error\":{\"code\":429,\"message\":\"Resource has been exhausted AIza-secret\",\"status\":\"RESOURCE_EXHAUSTED\"}}\n\n"
	out, _, err := translateStream(t, []byte(in), false)
	var e *apierr.Error
	if !errors.As(err, &e) || e.Status != 429 || len(out) != 0 || strings.Contains(e.Message, "AIza-secret") {
		t.Fatalf("err = %v, out %q", err, out)
	}
}

func TestErrorNormalisation(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		wantStatus int
		wantCode   string
	}{
		{"quota", 429, `{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}`, 429, providers.CodeRateLimited},
		{"overloaded", 503, `{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}`, 503, providers.CodeOverloaded},
		{"context", 400, `{"error":{"code":400,"message":"The input token count (1048577) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}`, 400, providers.CodeContextLength},
		{"bad argument", 400, `{"error":{"code":400,"message":"Invalid value at 'generation_config.temperature'","status":"INVALID_ARGUMENT"}}`, 400, providers.CodeInvalid},
		{"bad key", 400, `{"error":{"code":400,"message":"API key not valid.","status":"PERMISSION_DENIED"}}`, 502, providers.CodeAuthFailed},
		{"internal", 500, `{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}`, 502, providers.CodeUpstream},
		{"array form", 429, `[{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}]`, 429, providers.CodeRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Error("gemini", "AIza-secret", tt.status, []byte(tt.body))
			if e.Status != tt.wantStatus || e.Code != tt.wantCode {
				t.Errorf("got %d %s (%q); want %d %s", e.Status, e.Code, e.Message, tt.wantStatus, tt.wantCode)
			}
		})
	}
}

func TestFinishReasonMapping(t *testing.T) {
	tests := []struct {
		in    string
		tools bool
		want  string
	}{{"STOP", false, "stop"}, {"STOP", true, "tool_calls"}, {"MAX_TOKENS", false, "length"}, {"SAFETY", false, "content_filter"}, {"RECITATION", false, "content_filter"}, {"OTHER", false, "stop"}}
	for _, tt := range tests {
		if got := FinishReason(tt.in, tt.tools); got != tt.want {
			t.Errorf("FinishReason(%q, %v) = %q, want %q", tt.in, tt.tools, got, tt.want)
		}
	}
}

func TestEmbeddings(t *testing.T) {
	dims := 4
	tests := []struct {
		name, input, wantPath, answer string
		wantTokens                    int
	}{
		{"one", `"hello world!"`, "/models/gemini-embedding-001:embedContent", `{"embedding":{"values":[0.1,0.2,0.3,0.4]}}`, 3},
		{"batch", `["ab","cdefgh"]`, "/models/gemini-embedding-001:batchEmbedContents", `{"embeddings":[{"values":[1,0,0,0]},{"values":[0,1,0,0]}]}`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &oai.EmbeddingRequest{Model: "e", Input: []byte(tt.input), Dimensions: &dims}
			body, path, e := BuildEmbedRequest(req, "gemini-embedding-001")
			if e != nil || path != tt.wantPath || !bytes.Contains(body, []byte(`"outputDimensionality":4`)) {
				t.Fatalf("path %q body %s e %v", path, body, e)
			}
			out, u, err := TranslateEmbedResponse([]byte(tt.answer), req, "e")
			if err != nil || u.PromptTokens != tt.wantTokens || !bytes.Contains(out, []byte(`"object":"embedding"`)) {
				t.Fatalf("out %s usage %+v err %v", out, u, err)
			}
		})
	}
	if _, _, err := BuildEmbedRequest(&oai.EmbeddingRequest{Input: []byte(`[1,2,3]`)}, "g"); apierr.From(err).Status != http.StatusBadRequest {
		t.Errorf("token input: err = %v, want 400", err)
	}
}

// FuzzStreamChunkWalk checks the byte walk over streamed chunks against
// encoding/json: whatever the walk accepts, it reads as a decode would.
func FuzzStreamChunkWalk(f *testing.F) {
	f.Add(`{"candidates":[{"content":{"role":"model","parts":[{"text":" quarter"}]},"index":0}],"usageMetadata":{"promptTokenCount":61,"candidatesTokenCount":4,"totalTokenCount":65},"modelVersion":"gemini-2.5-flash","responseId":"abc"}`)
	f.Add(`{"candidates":[{"content":{"parts":[{"text":"a\"b","thought":true},{"text":"c"}]},"finishReason":"STOP"}]}`)
	f.Add(`{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{}}}]}}]}`)
	f.Add(`{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}`)
	f.Fuzz(func(t *testing.T, data string) {
		var walked, decoded streamChunk
		if !walked.walk([]byte(data)) || json.Unmarshal([]byte(data), &decoded) != nil {
			return
		}
		if d := cmp.Diff(decoded, walked, cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("walk differs from decode (-decoded +walked):\n%s", d)
		}
	})
}
