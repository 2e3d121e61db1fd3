package gemini

import (
	"testing"

	"github.com/aigw/aigw/internal/oai"
)

var benchRequest = []byte(`{"model":"gemini-2.5-flash","max_tokens":18,"messages":[{"role":"system","content":"You are a helpful banking assistant."},{"role":"user","content":"Summarise the attached quarterly statement for a retail banking customer in three sentences, listing total deposits, withdrawals, the closing balance and any fees charged."}]}`)

var benchAnswer = []byte(`{"candidates":[{"content":{"role":"model","parts":[{"text":"Deposits totalled 4,200.00 and withdrawals 3,100.00 over the quarter. The closing balance was 5,340.00. A monthly fee of 5.00 was charged."}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":61,"candidatesTokenCount":18,"totalTokenCount":79},"modelVersion":"gemini-2.5-flash","responseId":"abc"}`)

// BenchmarkTranslateRequest is the cost per request of translating an OpenAI
// body into a generateContent body (decode included).
func BenchmarkTranslateRequest(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		r, err := oai.ParseParams(benchRequest)
		if err != nil {
			b.Fatal(err)
		}
		if _, e := BuildRequest(r, Options{}); e != nil {
			b.Fatal(e)
		}
	}
}

// BenchmarkTranslateResponse is the cost per request of translating a
// non-streamed answer.
func BenchmarkTranslateResponse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := TranslateResponse(benchAnswer, "id", "m", 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamChunk is the cost per streamed chunk: one SSE chunk with a
// text part in, one chat.completion.chunk out.
func BenchmarkStreamChunk(b *testing.B) {
	s := NewStream("id", "m", 1, false)
	ev := []byte("data: " + `{"candidates":[{"content":{"role":"model","parts":[{"text":" quarter"}]},"index":0}],"usageMetadata":{"promptTokenCount":61,"candidatesTokenCount":4,"totalTokenCount":65},"modelVersion":"gemini-2.5-flash","responseId":"abc"}` + "\n\n")
	out, _ := s.Event(nil, ev)
	b.SetBytes(int64(len(ev)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if out, err = s.Event(out[:0], ev); err != nil {
			b.Fatal(err)
		}
	}
}
