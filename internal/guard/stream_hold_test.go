package guard

import (
	"strings"
	"testing"
)

// TestStreamHoldsOnlyWhatCouldStillBecomeAFinding checks what a scanner
// releases at once and what it keeps: prose goes out as it comes, but an
// unfinished value, a value the next words may still qualify, and the first
// words of an attack phrase stay until they are settled.
func TestStreamHoldsOnlyWhatCouldStillBecomeAFinding(t *testing.T) {
	e := newTestEngine(t)
	for _, tc := range []struct {
		name, chunk, emitted string
		plain                bool
	}{
		{"prose, a word unfinished", "Happy to help with that. Your statement shows", "Happy to help with that. Your statement ", true},
		{"a sentence ended", "Thanks for waiting!", "Thanks for waiting!", false},
		{"digits unfinished", "Your card ending 4111 1111", "Your card ending ", false},
		{"a group with its space", "Call me on +91 ", "Call me on ", false},
		{"an address unfinished", "Write to ravi.kumar@exa", "Write to ", false},
		{"a number the next words may qualify", "The number 4111 is on", "The number ", false},
		{"an attack's first words", "Sure. Now ignore all pre", "Sure. Now ", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStreamScanner(e, redactPolicy(), 0)
			emit, _ := s.Write(tc.chunk)
			if emit != tc.emitted {
				t.Errorf("emitted %q, want %q", emit, tc.emitted)
			}
			if n, plain := s.Held(); n != len(tc.chunk)-len(tc.emitted) || plain != tc.plain {
				t.Errorf("holds %d bytes (plain %v), want %d (plain %v)", n, plain, len(tc.chunk)-len(tc.emitted), tc.plain)
			}
		})
	}
}

// TestStreamSettleReleasesOnlyAPlainWord checks Settle: after a pause, a
// plain word goes out; an unfinished value does not.
func TestStreamSettleReleasesOnlyAPlainWord(t *testing.T) {
	e := newTestEngine(t)
	s := NewStreamScanner(e, redactPolicy(), 0)
	if emit, _ := s.Write("Hello"); emit != "" {
		t.Fatalf("emitted %q before the word was finished", emit)
	}
	if emit, _ := s.Settle(); emit != "Hello" {
		t.Errorf("Settle released %q, want the plain word", emit)
	}
	if emit, _ := s.Write(" my SSN is 536-22"); emit != " my SSN is " {
		t.Errorf("emitted %q", emit)
	}
	if emit, _ := s.Settle(); emit != "" {
		t.Errorf("Settle released %q of an unfinished SSN", emit)
	}
	emit, _ := s.Write("-1234 ok")
	rest, _ := s.Flush()
	if got := emit + rest; strings.Contains(got, "1234") || !strings.HasSuffix(got, " ok") {
		t.Errorf("the SSN's end came out as %q", got)
	}
}

// TestStreamHoldsAtMostAWindow checks the bound: a value longer than the
// window is released (screened) rather than held without end.
func TestStreamHoldsAtMostAWindow(t *testing.T) {
	e := newTestEngine(t)
	s := NewStreamScanner(e, redactPolicy(), 32)
	s.Write(strings.Repeat("a1", 40)) //nolint:errcheck
	if n, _ := s.Held(); n > 32 {
		t.Errorf("holds %d bytes with a 32-byte window", n)
	}
}

// TestStreamHoldsObfuscatedEmail checks that once a bracketed "at" has come,
// the address is held until it ends: no split after the bracket lets its
// local part or domain out. (A split just before the bracket lets the local
// part out alone: a stream cannot hold every word for a "[at]" to come.)
func TestStreamHoldsObfuscatedEmail(t *testing.T) {
	e := newTestEngine(t)
	p := redactPolicy()
	text := "mail john.doe [at] example [dot] com today"
	for k := strings.Index(text, "[") + 1; k <= len(text); k++ {
		s := NewStreamScanner(e, p, 256)
		var out strings.Builder
		for _, c := range []string{text[:k], text[k:]} {
			emit, _ := s.Write(c)
			out.WriteString(emit)
		}
		emit, _ := s.Flush()
		out.WriteString(emit)
		if got := out.String(); strings.Contains(got, "john") || strings.Contains(got, "example") {
			t.Errorf("split at %d: client got %q", k, got)
		}
	}
}
