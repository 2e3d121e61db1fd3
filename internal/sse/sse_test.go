package sse

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

func TestEnd(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", -1},
		{"data: x", -1},
		{"data: x\n", -1},
		{"data: x\n\n", 9},
		{"data: x\r\n\r\n", 11},
		{"data: x\r\n\r", -1},
		{"data: x\n\r\n", 10},
		{"data: x\r\n\n", 10},
		{"data: x\ndata: y\n\ndata: z\n\n", 17},
		{": comment\nevent: e\ndata: {}\n\nrest", 29},
		{"data: a\rdata: b\n\n", 17}, // a lone CR is not a line end
	} {
		if got := End([]byte(tc.in)); got != tc.want {
			t.Errorf("End(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestDataAndName(t *testing.T) {
	for _, tc := range []struct {
		in, data, name string
		ok             bool
	}{
		{"data: {\"a\":1}\n\n", `{"a":1}`, "", true},
		{"data:{\"a\":1}\r\n\r\n", `{"a":1}`, "", true},
		{"data:  two spaces\n\n", " two spaces", "", true},
		{"event: message_start\ndata: {}\n\n", "{}", "message_start", true},
		{"event:ping\r\ndata: x\r\ndata: y\r\n\r\n", "x\ny", "ping", true},
		{"data\n\n", "", "", true},
		{"data: a\ndata\ndata: c\n\n", "a\n\nc", "", true},
		{": keep-alive\n\n", "", "", false},
		{"datax: not data\nid: 7\n\n", "", "", false},
		{"event: a\nevent: b\ndata: [DONE]\n\n", "[DONE]", "b", true},
		{"data: no blank line", "no blank line", "", true},
	} {
		data, ok := Data([]byte(tc.in), nil)
		if string(data) != tc.data || ok != tc.ok {
			t.Errorf("Data(%q) = %q, %v; want %q, %v", tc.in, data, ok, tc.data, tc.ok)
		}
		if name := Name([]byte(tc.in)); string(name) != tc.name {
			t.Errorf("Name(%q) = %q, want %q", tc.in, name, tc.name)
		}
	}
}

func TestDataOfOneLineAliasesTheEvent(t *testing.T) {
	ev := []byte("data: {\"choices\":[]}\n\n")
	data, _ := Data(ev, nil)
	if &data[0] != &ev[6] {
		t.Error("a one-line event's data was copied")
	}
	if n := testing.AllocsPerRun(100, func() { Data(ev, nil) }); n != 0 {
		t.Errorf("Data allocates %v times for a one-line event", n)
	}
}

const stream = "data: {\"id\":1}\n\n: ping\n\nevent: delta\r\ndata: {\"id\":2}\r\n\r\ndata: a\ndata: b\n\ndata: [DONE]\n\n"

var wantEvents = []string{"data: {\"id\":1}\n\n", ": ping\n\n", "event: delta\r\ndata: {\"id\":2}\r\n\r\n", "data: a\ndata: b\n\n", "data: [DONE]\n\n"}

// TestFramerEveryPieceSize writes the stream in pieces of every size and
// expects the same events: an event split anywhere, a CRLF split between
// its CR and LF included, comes out whole.
func TestFramerEveryPieceSize(t *testing.T) {
	for size := 1; size <= len(stream); size++ {
		var f Framer
		var got []string
		for i := 0; i < len(stream); i += size {
			if err := f.Write([]byte(stream[i:min(i+size, len(stream))])); err != nil {
				t.Fatal(err)
			}
			for ev, ok := f.Next(); ok; ev, ok = f.Next() {
				got = append(got, string(ev))
			}
		}
		if diff := cmp.Diff(wantEvents, got); diff != "" || len(f.Rest()) != 0 {
			t.Fatalf("pieces of %d: events differ (-want +got):\n%s rest %q", size, diff, f.Rest())
		}
	}
}

func TestFramerRefusesAnEndlessEvent(t *testing.T) {
	var f Framer
	big := bytes.Repeat([]byte("x"), 1<<20)
	f.Write([]byte("data: ")) //nolint:errcheck
	var err error
	for i := 0; i < 17 && err == nil; i++ {
		err = f.Write(big)
	}
	if !errors.Is(err, ErrEventTooLarge) {
		t.Fatalf("err = %v, want ErrEventTooLarge", err)
	}
}

func readAll(t *testing.T, r *Reader) ([]string, error) {
	t.Helper()
	var got []string
	for {
		ev, err := r.Next()
		if ev != nil {
			got = append(got, string(ev))
		}
		if err != nil {
			return got, err
		}
	}
}

func TestReaderOneByteReads(t *testing.T) {
	got, err := readAll(t, NewReader(iotest.OneByteReader(strings.NewReader(stream)), make([]byte, 0, 4)))
	if err != io.EOF {
		t.Fatalf("err = %v, want io.EOF", err)
	}
	if diff := cmp.Diff(wantEvents, got); diff != "" {
		t.Errorf("events differ (-want +got):\n%s", diff)
	}
}

func TestReaderEndsInsideAnEvent(t *testing.T) {
	got, err := readAll(t, NewReader(strings.NewReader("data: 1\n\ndata: 2\n"), nil))
	if err != ErrUnfinished || len(got) != 2 || got[1] != "data: 2\n" {
		t.Fatalf("got %q, %v; want the unfinished event with ErrUnfinished", got, err)
	}
	got, err = readAll(t, NewReader(strings.NewReader("data: 1\n\n\n"), nil))
	if err != io.EOF || len(got) != 1 {
		t.Fatalf("trailing blank line: got %q, %v", got, err)
	}
}

func TestReaderReturnsEventsBeforeTheError(t *testing.T) {
	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader("data: 1\n\ndata: 2\n\ndata: 3"), iotest.ErrReader(boom))
	got, err := readAll(t, NewReader(r, nil))
	if !errors.Is(err, boom) || len(got) != 2 {
		t.Fatalf("got %q, %v; want two events, then the error", got, err)
	}
}

func TestReaderBufferedAndGrowth(t *testing.T) {
	big := "data: " + strings.Repeat("y", 100) + "\n\n"
	r := NewReader(strings.NewReader(big+"data: z\n\n"), make([]byte, 0, 8))
	ev, err := r.Next()
	if err != nil || string(ev) != big {
		t.Fatalf("an event larger than the buffer: %q %v", ev, err)
	}
	if !r.Buffered() {
		t.Error("the second event arrived with the first but is not reported buffered")
	}
	if ev, err = r.Next(); err != nil || string(ev) != "data: z\n\n" {
		t.Fatalf("second event: %q %v", ev, err)
	}
	if r.Buffered() {
		t.Error("nothing is left, yet Buffered says an event is")
	}
}

func FuzzFramer(f *testing.F) {
	f.Add(stream, uint8(3))
	f.Add("data: a\r\n\r\ndata: b\n\n", uint8(1))
	f.Add("\n\ndata: x\n\n", uint8(2))
	f.Fuzz(func(t *testing.T, in string, piece uint8) {
		size := int(piece)%16 + 1
		var fr Framer
		var got []string
		for i := 0; i < len(in); i += size {
			fr.Write([]byte(in[i:min(i+size, len(in))])) //nolint:errcheck // small inputs
			for ev, ok := fr.Next(); ok; ev, ok = fr.Next() {
				if End(ev) != len(ev) {
					t.Fatalf("event %q does not end at its own end", ev)
				}
				got = append(got, string(ev))
			}
		}
		if strings.Join(got, "")+string(fr.Rest()) != in {
			t.Fatalf("events and rest do not add up to the input")
		}
		// The Reader frames the same stream read in pieces alike.
		rd := NewReader(iotest.HalfReader(strings.NewReader(in)), make([]byte, 0, size))
		for i := 0; ; i++ {
			ev, err := rd.Next()
			if err != nil {
				if err == ErrUnfinished && string(ev) != string(fr.Rest()) || err != io.EOF && err != ErrUnfinished {
					t.Fatalf("reader ended with %q, %v; framer rest %q", ev, err, fr.Rest())
				}
				if i != len(got) {
					t.Fatalf("reader read %d events, framer %d", i, len(got))
				}
				break
			}
			if i >= len(got) || string(ev) != got[i] {
				t.Fatalf("reader event %d = %q, framer's %q", i, ev, got)
			}
		}
		for _, ev := range got {
			data, ok := Data([]byte(ev), nil)
			want, wantOK := refData(ev)
			if ok != wantOK || string(data) != want {
				t.Fatalf("Data(%q) = %q %v, want %q %v", ev, data, ok, want, wantOK)
			}
		}
	})
}

// refData is Data by the specification's steps, with strings.
func refData(ev string) (string, bool) {
	var lines []string
	for _, l := range strings.Split(ev, "\n") {
		l = strings.TrimSuffix(l, "\r")
		name, value, found := strings.Cut(l, ":")
		if name != "data" {
			continue
		}
		if found {
			value = strings.TrimPrefix(value, " ")
		}
		lines = append(lines, value)
	}
	return strings.Join(lines, "\n"), len(lines) > 0
}

func TestReaderTellsABrokenConnectionFromAnUnfinishedEvent(t *testing.T) {
	r := io.MultiReader(strings.NewReader("data: 1\n\ndata: 2"), iotest.ErrReader(io.ErrUnexpectedEOF))
	got, err := readAll(t, NewReader(r, nil))
	if err != io.ErrUnexpectedEOF || len(got) != 1 {
		t.Fatalf("got %q, %v; want one event, then the connection's error", got, err)
	}
}
