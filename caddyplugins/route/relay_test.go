package route

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/providers"
	"github.com/aigw/aigw/internal/providers/openai"
	"github.com/aigw/aigw/internal/sse"
)

// relayOpenAI relays an OpenAI-format stream as the router does.
func relayOpenAI(w http.ResponseWriter, resp *http.Response, hideUsage bool, st *state.Request) outcome {
	call := &providers.Call{Stream: true, Reader: openai.NewReader(hideUsage)}
	o := (&Handler{}).relayStream(context.Background(), w, st, &catalog.Provider{Name: "p"}, call, resp)
	st.SetRelay(call.Reader.Relay())
	return o
}

// flushSignal is a ResponseWriter that reports each flush with what had been
// written by then.
type flushSignal struct {
	*httptest.ResponseRecorder
	flushed chan string
}

func (f *flushSignal) Flush() { f.flushed <- f.Body.String() }

// TestRelayFlushesEachRead checks that a stream is flushed as it arrives.
func TestRelayFlushesEachRead(t *testing.T) {
	pr, pw := io.Pipe()
	resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: pr, ContentLength: -1}
	w := &flushSignal{ResponseRecorder: httptest.NewRecorder(), flushed: make(chan string, 4)}
	done := make(chan outcome)
	st := &state.Request{}
	go func() { done <- relayOpenAI(w, resp, false, st) }()
	event := "data: {\"a\":1}\n\n"
	pw.Write([]byte(event)) //nolint:errcheck
	select {
	case got := <-w.flushed:
		if got != event {
			t.Errorf("flushed %q, want %q", got, event)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("first event was not flushed before the stream ended")
	}
	pw.Close()
	if o := <-done; o.err != nil || !o.written {
		t.Fatal(o)
	}
}

// piecewise reads its data in pieces of varying sizes, as a network would.
type piecewise struct {
	data []byte
	rnd  *rand.Rand
}

func (p *piecewise) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(b), len(p.data), 1+p.rnd.IntN(700))
	copy(b, p.data[:n])
	p.data = p.data[n:]
	return n, nil
}

// writeLog records every Write.
type writeLog struct {
	*httptest.ResponseRecorder
	writes []string
}

func (w *writeLog) Write(b []byte) (int, error) {
	w.writes = append(w.writes, string(b))
	return w.ResponseRecorder.Write(b)
}

// TestRelayStreamWholeEvents checks that a stream reaches the client in whole
// events, however the network cuts it, an event larger than the read buffer
// included, and that the usage-only chunk is read and left out, and the
// content generated counted.
func TestRelayStreamWholeEvents(t *testing.T) {
	var b strings.Builder
	content := 0
	for i := range 40 {
		fmt.Fprintf(&b, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word %d\"}}]}\n\n", i)
		content += len(fmt.Sprintf("word %d", i))
	}
	fmt.Fprintf(&b, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":%q}}]}\n\n", strings.Repeat("x", 3*relayBufSize))
	content += 3 * relayBufSize
	b.WriteString(": keep-alive comment\r\n\r\n")
	want := b.String() + "data: [DONE]\n\n"
	b.WriteString("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":41,\"total_tokens\":50}}\n\n")
	b.WriteString("data: [DONE]\n\n")
	for seed := range uint64(20) {
		resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}},
			Body: io.NopCloser(&piecewise{data: []byte(b.String()), rnd: rand.New(rand.NewPCG(seed, 1))})}
		w := &writeLog{ResponseRecorder: httptest.NewRecorder()}
		st := &state.Request{}
		if o := relayOpenAI(w, resp, true, st); o.err != nil || !o.written {
			t.Fatalf("seed %d: %+v", seed, o)
		}
		if got := w.Body.String(); got != want {
			t.Fatalf("seed %d: relayed %d bytes, want %d", seed, len(got), len(want))
		}
		for i, s := range w.writes {
			if sse.End([]byte(s)) != len(s) {
				t.Fatalf("seed %d: write %d is not one whole event: %q", seed, i, s[max(0, len(s)-40):])
			}
		}
		if st.Usage != (state.Usage{PromptTokens: 9, CompletionTokens: 41, Reported: true}) || st.Content != content || !st.Counted {
			t.Fatalf("seed %d: usage %+v content %d", seed, st.Usage, st.Content)
		}
	}
}

// TestRelayStreamCutAfterFirstEvent checks a stream the provider breaks off:
// the events before go out, then an OpenAI error event; the content read is
// counted for billing.
func TestRelayStreamCutAfterFirstEvent(t *testing.T) {
	boom := errors.New("connection reset by peer")
	body := io.MultiReader(strings.NewReader("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"12345678\"},\"finish_reason\":null}]}\n\ndata: {\"cho"), &failing{boom})
	resp := &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(body)}
	w := httptest.NewRecorder()
	st := &state.Request{}
	o := relayOpenAI(w, resp, false, st)
	e := apierr.From(o.err)
	if !o.written || e.Code != providers.CodeStreamCut || !errors.Is(o.err, boom) {
		t.Fatalf("outcome %+v", o)
	}
	events := strings.Split(strings.TrimSuffix(w.Body.String(), "\n\n"), "\n\n")
	if len(events) != 2 || !strings.Contains(events[1], `"upstream_stream_interrupted"`) {
		t.Errorf("client got %q", w.Body.String())
	}
	if st.Content != 8 || !st.Counted || st.Usage.Reported {
		t.Errorf("state content %d counted %v usage %+v", st.Content, st.Counted, st.Usage)
	}
}

type failing struct{ err error }

func (f *failing) Read([]byte) (int, error) { return 0, f.err }

// TestRelayStreamEventTooLarge checks that an event over the limit ends the
// relay with an error instead of growing without bound.
func TestRelayStreamEventTooLarge(t *testing.T) {
	body := io.MultiReader(strings.NewReader("data: {\"a\":1}\n\ndata: \""), strings.NewReader(strings.Repeat("x", sse.MaxEventSize+1)))
	resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: io.NopCloser(body)}
	w := httptest.NewRecorder()
	o := relayOpenAI(w, resp, true, &state.Request{})
	if !errors.Is(o.err, sse.ErrEventTooLarge) || !o.written {
		t.Fatalf("outcome %+v; want the first event written, then ErrEventTooLarge", o)
	}
	if !strings.HasPrefix(w.Body.String(), "data: {\"a\":1}\n\n") {
		t.Errorf("relayed %q", w.Body.String())
	}
}

// TestCallContextNamesClientGone checks that a provider call that ends
// because the client went away is told from a timeout, so that it is not
// taken for a provider failure.
func TestCallContextNamesClientGone(t *testing.T) {
	for _, timeout := range []time.Duration{0, time.Minute} {
		reqCtx, leave := context.WithCancel(context.Background())
		r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil).WithContext(reqCtx)
		ctx, cancel := (&Handler{}).callContext(r, &catalog.Provider{Timeout: timeout})
		leave()
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
			t.Fatal("the call outlived its client")
		}
		if !clientGone(ctx) {
			t.Errorf("timeout %v: cause %v, not read as the client gone", timeout, context.Cause(ctx))
		}
		cancel(nil)
	}
	r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil)
	ctx, cancel := (&Handler{}).callContext(r, &catalog.Provider{Timeout: time.Millisecond})
	defer cancel(nil)
	<-ctx.Done()
	if clientGone(ctx) || !errors.Is(context.Cause(ctx), errProviderTimeout) {
		t.Errorf("the provider's timeout read as %v", context.Cause(ctx))
	}
}

// TestReadAnswer checks reading a whole answer with and without a length,
// and with a length that is wrong either way.
func TestReadAnswer(t *testing.T) {
	body := strings.Repeat("x", 700)
	for _, length := range []int64{-1, 700, 100, 5000} {
		resp := &http.Response{ContentLength: length, Body: io.NopCloser(&piecewise{data: []byte(body), rnd: rand.New(rand.NewPCG(1, 2))})}
		got, err := readAnswer(resp)
		if err != nil || string(got) != body {
			t.Errorf("length %d: read %d bytes, %v", length, len(got), err)
		}
	}
}
