package guardrail

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/guard"
)

const finishEvent = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"

// gatedFilter is a clocked filter whose stream gate asks the self-check
// server at url (selfCheckServer: "Yes" to text that says "wire the funds").
func gatedFilter(t *testing.T, url string, failClosed bool, every int, wait time.Duration) (*sseFilter, *time.Time, *int) {
	f, now := clockedFilter(t)
	rails := []externalRail{railWithSettings{&selfCheck{url: url, key: "k", model: "m", client: http.DefaultClient},
		railSettings{Timeout: 200 * time.Millisecond, FailClosed: failClosed, Stream: true}}}
	streams := func(x externalRail) railSettings {
		s := x.(railWithSettings).s
		s.Output = s.Stream
		return s
	}
	checks := new(int)
	f.gate = &streamGate{every: every, wait: wait, check: func(text string) []string {
		*checks++
		blocked, _ := runRails(context.Background(), rails, streams, text, guard.Output)
		return blocked
	}}
	return f, now, checks
}

// TestStreamRailBlockEndsStreamAfterPassedText checks a streamed answer the
// rail refuses halfway: the batches it passed reach the client, the refused
// one does not, the stream ends with the guardrail error event, and no
// finish or [DONE] follows.
func TestStreamRailBlockEndsStreamAfterPassedText(t *testing.T) {
	f, now, _ := gatedFilter(t, selfCheckServer(t), false, 48, time.Second)
	var out strings.Builder
	blocked := false
	for _, piece := range []string{"Thanks for waiting. ", "Your transfer limit is fine ", "for the amount you mention. ",
		"Now wire the funds to the account I gave you ", "and tell nobody.", ""} {
		ev := chunkEvent(piece)
		if piece == "" {
			ev = finishEvent + "data: [DONE]\n\n"
		}
		*now = now.Add(60 * time.Millisecond) // past the engine's batching interval
		var b []byte
		b, blocked = f.write([]byte(ev))
		out.Write(b)
		if blocked {
			break
		}
	}
	if !blocked {
		t.Fatal("the rail's block did not end the stream")
	}
	s := out.String()
	text, errored := contentOf(t, s)
	if !errored || !strings.Contains(s, "self_check") {
		t.Errorf("no guardrail error event naming the rail:\n%s", s)
	}
	if !strings.HasPrefix(text, "Thanks for waiting. Your transfer limit is fine") {
		t.Errorf("text the rail passed did not reach the client first: %q", text)
	}
	if strings.Contains(text, "wire the funds") || strings.Contains(s, "finish_reason\":\"stop") || strings.Contains(s, "[DONE]") {
		t.Errorf("refused text or a clean finish reached the client:\n%s", s)
	}
	if i, j := strings.Index(s, "Thanks"), strings.Index(s, "guardrail_violation"); i < 0 || i > j {
		t.Errorf("passed text after the error event:\n%s", s)
	}
}

// TestStreamRailPassesShortAnswerAtFinish checks that text shorter than a
// batch is held until the finish checks it, then goes out before the
// finish, and that the rail sees the whole answer.
func TestStreamRailPassesShortAnswerAtFinish(t *testing.T) {
	f, _, checks := gatedFilter(t, selfCheckServer(t), false, 512, time.Second)
	b, _ := f.write([]byte(chunkEvent("Your branch opens at 9.")))
	if text, _ := contentOf(t, string(b)); text != "" {
		t.Fatalf("text went out before the rail checked it: %q", text)
	}
	b, blocked := f.write([]byte(finishEvent + "data: [DONE]\n\n"))
	s := string(b)
	text, errored := contentOf(t, s)
	if blocked || errored || text != "Your branch opens at 9." {
		t.Fatalf("blocked %v errored %v text %q", blocked, errored, text)
	}
	if i := strings.Index(s, "opens"); i < 0 || i > strings.Index(s, "finish_reason\":\"stop") {
		t.Errorf("held text after the finish:\n%s", s)
	}
	if *checks != 1 {
		t.Errorf("%d rail checks for one short answer, want 1", *checks)
	}
}

// TestStreamRailReleasesWhatWaited checks the time bound: text that does not
// fill a batch is checked and released by tick once it has waited.
func TestStreamRailReleasesWhatWaited(t *testing.T) {
	f, now, _ := gatedFilter(t, selfCheckServer(t), false, 512, time.Second)
	f.write([]byte(chunkEvent("Let me look that up for you.")))
	if f.due.IsZero() {
		t.Fatal("no release is due for text waiting for the rail")
	}
	*now = now.Add(200 * time.Millisecond)
	if b, _ := f.tick(nil); len(b) != 0 {
		t.Errorf("released before the wait: %q", b)
	}
	*now = now.Add(time.Second)
	b, blocked := f.tick(nil)
	if text, _ := contentOf(t, string(b)); blocked || text != "Let me look that up for you." {
		t.Errorf("after the wait: blocked %v, client got %q", blocked, text)
	}
}

// TestStreamRailFailure checks a rail that cannot answer: fail open lets the
// answer through, fail closed ends it with the error event.
func TestStreamRailFailure(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	for _, failClosed := range []bool{false, true} {
		f, _, _ := gatedFilter(t, down.URL, failClosed, 512, time.Second)
		var out []byte
		b, _ := f.write([]byte(chunkEvent("All good.")))
		out = append(out, b...)
		b, blocked := f.write([]byte(finishEvent))
		out = append(out, b...)
		text, errored := contentOf(t, string(out))
		if failClosed != blocked || failClosed != errored || failClosed == (text == "All good.") {
			t.Errorf("fail_closed=%v: blocked %v errored %v text %q", failClosed, blocked, errored, text)
		}
	}
}

// TestStreamWithoutRailsIsNotHeld checks that without a rail for streams the
// first words go out at once, as before.
func TestStreamWithoutRailsIsNotHeld(t *testing.T) {
	f, _ := clockedFilter(t)
	b, _ := f.write([]byte(chunkEvent("Hello there, how can I help? ")))
	if text, _ := contentOf(t, string(b)); text == "" {
		t.Error("first words held without a rail")
	}
}

// TestOutputScreenStreamRails runs the gate through the response writer the
// handler wraps: a refused stream ends in the error event and the writer's
// caller is told to stop.
func TestOutputScreenStreamRails(t *testing.T) {
	e, p := testPolicy(t, "bfsi-standard")
	rec := httptest.NewRecorder()
	o := newOutputScreen(rec, e, p, 256)
	g, _, _ := gatedFilter(t, selfCheckServer(t), false, 16, time.Second)
	o.gate = g.gate
	o.Header().Set("Content-Type", "text/event-stream")
	o.WriteHeader(http.StatusOK)
	o.stream.interval = 0 // every chunk is scanned as it comes
	if _, err := o.Write([]byte(chunkEvent("Hello, happy to help today. "))); err != nil {
		t.Fatal(err)
	}
	_, err := o.Write([]byte(chunkEvent("Please wire the funds to me. ")))
	if err != errBlocked {
		t.Errorf("Write after a rail block: %v, want errBlocked", err)
	}
	if err := o.finish(); err != nil {
		t.Fatal(err)
	}
	text, errored := contentOf(t, rec.Body.String())
	if !errored || text != "Hello, happy to help today. " || o.verdict.action != guard.ActionBlock {
		t.Errorf("errored %v text %q verdict %v:\n%s", errored, text, o.verdict.action, rec.Body.String())
	}
}

// TestHandlerStreamGate checks how the handler builds the gate from its
// rails: none without a rail for streams, the smallest batch and wait of
// those that have one, and checks that ask only those rails.
func TestHandlerStreamGate(t *testing.T) {
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.Path)
		w.Write([]byte(`{"choices":[{"message":{"content":"No"}}],"messages":[{"content":"ok"}]}`)) //nolint:errcheck
	}))
	defer srv.Close()
	self := railWithSettings{&selfCheck{url: srv.URL + "/self", model: "m", client: http.DefaultClient},
		(&SelfCheckConfig{RailConfig: RailConfig{Output: true}}).settings()}
	nemoRail := railWithSettings{&nemo{url: srv.URL + "/nemo", client: http.DefaultClient},
		(&NeMoConfig{RailConfig: RailConfig{Stream: true, StreamBytes: 100, StreamWait: caddy.Duration(time.Second)}}).settings()}
	h := &Handler{logger: zap.NewNop()}
	req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil)
	st := &state.Request{ID: "r1"}
	h.rails = []externalRail{self}
	if g := h.streamGate(req, st); g != nil {
		t.Fatalf("a gate without a rail for streams: %+v", g)
	}
	h.rails = []externalRail{self, nemoRail}
	g := h.streamGate(req, st)
	if g == nil || g.every != 100 || g.wait != time.Second {
		t.Fatalf("gate %+v, want every 100 wait 1s", g)
	}
	if blocked := g.check("hello"); len(blocked) != 0 || len(asked) != 1 || asked[0] != "/nemo/v1/chat/completions" {
		t.Errorf("blocked %v, asked %v: want only the stream rail asked", blocked, asked)
	}
}
