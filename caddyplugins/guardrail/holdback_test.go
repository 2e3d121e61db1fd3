package guardrail

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// chunkEvent is one content chunk of choice 0, as a provider streams it.
func chunkEvent(text string) string {
	return fmt.Sprintf("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":%q},\"finish_reason\":null}]}\n\n", text)
}

// clockedFilter is a filter whose clock the test moves.
func clockedFilter(t *testing.T) (*sseFilter, *time.Time) {
	e, p := testPolicy(t, "bfsi-standard")
	var v verdict
	f := newSSEFilter(e, p, 256, &v)
	now := time.Unix(1_800_000_000, 0)
	f.now = func() time.Time { return now }
	return f, &now
}

// TestStreamFirstWordsGoOutAtOnce checks the issue a new user met: a short
// answer used to arrive in one piece at its end. Now the first words go out
// with the first chunk; later chunks that come within the interval wait for
// it at most, and a plain word the stream pauses on goes out then too.
func TestStreamFirstWordsGoOutAtOnce(t *testing.T) {
	f, now := clockedFilter(t)
	first, second := "Sure! Here is the summary you asked for. ", "Deposits rose"
	b, _ := f.write([]byte(chunkEvent(first)))
	got, _ := contentOf(t, string(b))
	if !strings.HasPrefix(got, "Sure! Here is the summary") {
		t.Fatalf("first chunk: client got %q at once", got)
	}
	*now = now.Add(5 * time.Millisecond)
	if b, _ = f.write([]byte(chunkEvent(second))); len(b) != 0 || f.due.IsZero() {
		t.Fatalf("a chunk right after the first went out unbatched (%q) or no release is due", b)
	}
	if wait := f.due.Sub(*now); wait > streamInterval {
		t.Errorf("the rest waits %v, longer than %v", wait, streamInterval)
	}
	*now = f.due
	b, _ = f.tick(nil)
	rest, _ := contentOf(t, string(b))
	if got+rest != first+second {
		t.Errorf("after the interval the client has %q, want %q", got+rest, first+second)
	}
	if !f.due.IsZero() {
		t.Errorf("nothing waits, yet a release is due at %v", f.due)
	}
}

// TestStreamKeepsValuesPastTheInterval checks that what could still become a
// finding is not released by time: an unfinished card number waits for its
// end, and is then redacted.
func TestStreamKeepsValuesPastTheInterval(t *testing.T) {
	f, now := clockedFilter(t)
	b, _ := f.write([]byte(chunkEvent("Your card 4111 1111")))
	out := string(b) // write's result is valid until the next call
	*now = now.Add(time.Second)
	tick, _ := f.tick(nil)
	rest, _ := f.write([]byte(chunkEvent(" 1111 1111 is active.") + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"))
	text, _ := contentOf(t, out+string(tick)+string(rest))
	if strings.Contains(text, "4111") || !strings.Contains(text, "1111 is active.") {
		t.Errorf("client got %q", text)
	}
	if t1, _ := contentOf(t, out+string(tick)); strings.ContainsAny(t1, "0123456789") {
		t.Errorf("digits went out before the number ended: %q", t1)
	}
}

// TestCutStreamReleasesHeldTextBeforeTheError checks the order on a stream
// the provider broke off: the screened text still held reaches the client,
// then the error event, and no finish is made up.
func TestCutStreamReleasesHeldTextBeforeTheError(t *testing.T) {
	f, _ := clockedFilter(t)
	b, _ := f.write([]byte(chunkEvent("The total is 1,234")))
	out := string(b)
	errEvent := "data: {\"error\":{\"message\":\"The provider \\\"p\\\" broke off its answer.\",\"type\":\"server_error\",\"code\":\"upstream_stream_interrupted\"}}\n\n"
	end, blocked := f.write([]byte(errEvent))
	if blocked {
		t.Fatal("blocked")
	}
	s := out + string(end)
	held := strings.Index(s, "1,234")
	if held < 0 || held > strings.Index(s, "upstream_stream_interrupted") {
		t.Fatalf("held text missing or after the error event:\n%s", s)
	}
	if strings.Contains(s, "finish_reason\":\"") || strings.Contains(s, "[DONE]") {
		t.Errorf("a clean end was made up:\n%s", s)
	}
	if after := f.close(); len(after) != 0 {
		t.Errorf("text after the error event: %q", after)
	}
}

// TestDoneReleasesHeldTextFirst checks a stream that ends with [DONE] and no
// finish chunk: the held text goes before [DONE], where clients read it.
func TestDoneReleasesHeldTextFirst(t *testing.T) {
	f, _ := clockedFilter(t)
	out, _ := f.write([]byte(chunkEvent("Ticket 12345") + "data: [DONE]\n\n"))
	s := string(out)
	if i := strings.Index(s, "12345"); i < 0 || i > strings.Index(s, "[DONE]") {
		t.Errorf("held text after [DONE]:\n%s", s)
	}
}
