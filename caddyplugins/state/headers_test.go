package state

import (
	"net/http"
	"net/textproto"
	"testing"
)

func TestSetHeaders(t *testing.T) {
	h := http.Header{"X-Aigw-Model": {"old"}}
	SetHeaders(h, "X-Aigw-Model", "gpt-4o", "X-Aigw-Attempts", "2")
	if h.Get("x-aigw-model") != "gpt-4o" || h.Get("X-Aigw-Attempts") != "2" || len(h) != 2 {
		t.Fatalf("headers %v", h)
	}
	// A value added later must not spill into the next header's slot.
	h.Add("X-Aigw-Model", "extra")
	if got := h.Values("X-Aigw-Attempts"); len(got) != 1 || got[0] != "2" {
		t.Errorf("X-Aigw-Attempts = %q after an Add to its neighbour", got)
	}
	for name := range h {
		if textproto.CanonicalMIMEHeaderKey(name) != name {
			t.Errorf("%q is not canonical", name)
		}
	}
	if n := testing.AllocsPerRun(100, func() { SetHeaders(h, "X-A", "1", "X-B", "2", "X-C", "3") }); n > 1 {
		t.Errorf("%v allocations, want 1", n)
	}
}
