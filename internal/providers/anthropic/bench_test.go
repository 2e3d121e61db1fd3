package anthropic

import (
	"testing"

	"github.com/aigw/aigw/internal/oai"
)

// benchRequest is the ~400-byte chat body of make bench.
var benchRequest = []byte(`{"model":"claude-sonnet-4-5","max_tokens":18,"messages":[{"role":"system","content":"You are a helpful banking assistant."},{"role":"user","content":"Summarise the attached quarterly statement for a retail banking customer in three sentences, listing total deposits, withdrawals, the closing balance and any fees charged."}]}`)

var benchAnswer = []byte(`{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Deposits totalled 4,200.00 and withdrawals 3,100.00 over the quarter. The closing balance was 5,340.00. A monthly fee of 5.00 was charged."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":61,"output_tokens":18}}`)

// BenchmarkTranslateRequest is the cost per request of translating an OpenAI
// body into a Messages API body (decode included).
func BenchmarkTranslateRequest(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		r, err := oai.ParseParams(benchRequest)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, e := BuildRequest(r, Options{Model: "claude-sonnet-4-5"}); e != nil {
			b.Fatal(e)
		}
	}
}

// BenchmarkTranslateResponse is the cost per request of translating a
// non-streamed answer.
func BenchmarkTranslateResponse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := TranslateResponse(benchAnswer, "m", 1, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamChunk is the cost per streamed chunk: one text_delta event
// in, one chat.completion.chunk out.
func BenchmarkStreamChunk(b *testing.B) {
	s := NewStream("m", 1, false, false)
	out, _ := s.Event(nil, []byte("data: "+`{"type":"message_start","message":{"id":"msg_1","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":61,"output_tokens":1}}}`+"\n\n"))
	out, _ = s.Event(out, []byte("data: "+`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`+"\n\n"))
	ev := []byte("data: " + `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" quarter"}}` + "\n\n")
	out, _ = s.Event(out, ev)
	b.SetBytes(int64(len(ev)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if out, err = s.Event(out[:0], ev); err != nil {
			b.Fatal(err)
		}
	}
}
