// Package sse frames server-sent event streams (text/event-stream): it finds
// where events end in bytes that arrive in pieces, lines ended by LF or CRLF,
// and reads an event's name and data. The gateway frames every stream through
// it — the router relaying a provider's events, the guardrail screening them,
// the provider adapters reading theirs — so that a framing fix reaches them all.
//
// An event is its lines up to and including the blank line that ends it. A
// line ends with "\n" or "\r\n"; a lone "\r" is not read as a line end (no
// provider the gateway speaks to sends one).
package sse

import (
	"bytes"
	"errors"
	"io"
)

// MaxEventSize bounds one event; a larger one is an error rather than
// unbounded memory.
const MaxEventSize = 16 << 20

// ErrEventTooLarge is returned for an event over MaxEventSize.
var ErrEventTooLarge = errors.New("server-sent event larger than 16 MiB")

// ErrUnfinished is returned by Reader.Next with the last event of a stream
// that ended (cleanly, at EOF) inside it: no blank line came after it. A
// stream broken off by its connection returns the connection's error instead.
var ErrUnfinished = errors.New("stream ended inside an event")

// End returns the length of the first whole event in b, its blank line
// included, or -1 when b holds no whole event yet.
func End(b []byte) int {
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		if i < len(b) && b[i] == '\n' {
			return i + 1
		}
		if i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n' {
			return i + 2
		}
	}
}

// Data returns the data of an event: the values of its data lines joined by
// "\n" (one optional space after "data:" dropped), and whether it has any.
// An event with a single data line, nearly every event of an LLM stream, is
// read in place: the result aliases event. Otherwise the lines are joined
// into scratch, which is grown as needed and may be nil.
func Data(event, scratch []byte) (data []byte, ok bool) {
	n := 0
	var first []byte
	for rest := event; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		value, isData := field(line, "data")
		if !isData {
			continue
		}
		switch n++; n {
		case 1:
			first = value
		case 2:
			scratch = append(append(append(scratch[:0], first...), '\n'), value...)
		default:
			scratch = append(append(scratch, '\n'), value...)
		}
	}
	switch n {
	case 0:
		return nil, false
	case 1:
		return first, true
	}
	return scratch, true
}

// Name returns the value of the event's "event:" line (the last one when it
// has several), or nil when it has none.
func Name(event []byte) []byte {
	var name []byte
	for rest := event; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if v, ok := field(line, "event"); ok {
			name = v
		}
	}
	return name
}

// field returns the value of line when it is the field name: the bytes after
// "name:", less one leading space and the line's "\r".
func field(line []byte, name string) ([]byte, bool) {
	if len(line) < len(name) || string(line[:len(name)]) != name {
		return nil, false
	}
	v := line[len(name):]
	switch {
	case len(v) == 0 || v[0] == '\r' && len(v) == 1:
		return v[:0], true // "data" alone: an empty value
	case v[0] != ':':
		return nil, false // another field whose name starts the same
	}
	v = v[1:]
	if len(v) > 0 && v[0] == ' ' {
		v = v[1:]
	}
	if len(v) > 0 && v[len(v)-1] == '\r' {
		v = v[:len(v)-1]
	}
	return v, true
}

// Framer collects a stream written to it in pieces and hands out whole
// events. The zero value is ready to use.
type Framer struct {
	buf []byte
	off int // start of the first event not yet handed out
}

// Write adds the next bytes of the stream. A single unfinished event larger
// than MaxEventSize is an error.
func (f *Framer) Write(p []byte) error {
	if f.off > 0 && (f.off == len(f.buf) || len(f.buf)+len(p) > cap(f.buf)) {
		f.buf = f.buf[:copy(f.buf, f.buf[f.off:])]
		f.off = 0
	}
	f.buf = append(f.buf, p...)
	if len(f.buf) > MaxEventSize && End(f.buf) < 0 {
		f.Reset()
		return ErrEventTooLarge
	}
	return nil
}

// Next returns the next whole event, blank line included, and true; or false
// when no whole event is buffered. The event is valid until the next Write.
func (f *Framer) Next() ([]byte, bool) {
	n := End(f.buf[f.off:])
	if n < 0 {
		return nil, false
	}
	ev := f.buf[f.off : f.off+n]
	f.off += n
	return ev, true
}

// Rest returns what is buffered after the last whole event handed out: the
// start of an event the stream has not finished (or ended inside of). It is
// valid until the next Write.
func (f *Framer) Rest() []byte { return f.buf[f.off:] }

// Reset drops everything buffered.
func (f *Framer) Reset() { f.buf, f.off = f.buf[:0], 0 }

// Reader reads the events of a stream as they arrive.
type Reader struct {
	r   io.Reader
	f   Framer
	err error // the reader's error, returned once the events before it are
}

// NewReader reads events from r into buf (its capacity is the first read's
// size; it grows for a larger event, up to MaxEventSize). A relay that pools
// its buffers passes one in; nil picks 16 KiB.
func NewReader(r io.Reader, buf []byte) *Reader {
	if cap(buf) == 0 {
		buf = make([]byte, 0, 16<<10)
	}
	return &Reader{r: r, f: Framer{buf: buf[:0]}}
}

// Next returns the next whole event, blank line included, reading as needed;
// it is valid until the next call. When the stream ends inside an event,
// that event is returned with ErrUnfinished; after the last event Next
// returns io.EOF. A read error is returned after the events read before it.
func (r *Reader) Next() ([]byte, error) {
	for {
		if ev, ok := r.f.Next(); ok {
			return ev, nil
		}
		if r.err != nil {
			if rest := r.f.Rest(); len(rest) > 0 && r.err == io.EOF {
				r.f.Reset()
				if isBlank(rest) {
					return nil, io.EOF
				}
				return rest, ErrUnfinished
			}
			return nil, r.err
		}
		r.err = r.fill()
	}
}

// Buffered reports whether Next has a whole event without reading: a relay
// sends what it has before it waits on the network, and events that arrived
// together go out together.
func (r *Reader) Buffered() bool { return End(r.f.Rest()) >= 0 }

// Buffer returns the reader's buffer, for a relay to return it to its pool
// once the stream is over.
func (r *Reader) Buffer() []byte { return r.f.buf[:0] }

// fill reads once into the buffer's free space, after moving the unfinished
// event to its start, and grows the buffer when that event fills it.
func (r *Reader) fill() error {
	f := &r.f
	if f.off > 0 {
		f.buf = f.buf[:copy(f.buf, f.buf[f.off:])]
		f.off = 0
	}
	if len(f.buf) == cap(f.buf) {
		if len(f.buf) >= MaxEventSize {
			return ErrEventTooLarge
		}
		grown := make([]byte, len(f.buf), min(2*cap(f.buf), MaxEventSize+1))
		copy(grown, f.buf)
		f.buf = grown
	}
	for range 100 { // io.Reader allows (0, nil): try again, a bounded number of times
		n, err := r.r.Read(f.buf[len(f.buf):cap(f.buf)])
		f.buf = f.buf[:len(f.buf)+n]
		if n > 0 || err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// isBlank reports whether b holds nothing but line ends.
func isBlank(b []byte) bool {
	for _, c := range b {
		if c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}
