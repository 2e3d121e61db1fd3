package providers

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// MaxEventSize bounds one server-sent event; a larger one is an error rather
// than unbounded memory.
const MaxEventSize = 16 << 20

// ErrEventTooLarge is returned by SSEReader.Next for an event over MaxEventSize.
var ErrEventTooLarge = errors.New("server-sent event larger than 16 MiB")

// SSEReader reads server-sent events. The slices Next returns are valid
// until the next call.
type SSEReader struct {
	r     *bufio.Reader
	event []byte
	data  []byte
	line  []byte
}

// NewSSEReader reads events from r.
func NewSSEReader(r io.Reader) *SSEReader {
	return &SSEReader{r: bufio.NewReaderSize(r, 16<<10)}
}

// Next returns the next event's name (empty when the event has none) and its
// data (data lines joined by "\n"). It returns io.EOF after the last event;
// a stream that ends inside an event returns that event, then
// io.ErrUnexpectedEOF.
func (s *SSEReader) Next() (event, data []byte, err error) {
	s.event, s.data = s.event[:0], s.data[:0]
	hasData := false
	for {
		line, err := s.readLine()
		if err != nil {
			if err == io.EOF && (hasData || len(s.event) > 0) {
				return s.event, s.data, io.ErrUnexpectedEOF
			}
			return nil, nil, err
		}
		if len(line) == 0 {
			if hasData || len(s.event) > 0 {
				return s.event, s.data, nil
			}
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
		switch string(field) {
		case "data":
			if hasData {
				s.data = append(s.data, '\n')
			}
			s.data = append(s.data, value...)
			hasData = true
		case "event":
			s.event = append(s.event[:0], value...)
		}
		if len(s.data) > MaxEventSize {
			return nil, nil, ErrEventTooLarge
		}
	}
}

// Ready reports whether a whole event is already buffered, so that Next will
// not wait on the network: a relay writes what it has before waiting, and
// events that arrived together go out in one write.
func (s *SSEReader) Ready() bool {
	n := s.r.Buffered()
	if n == 0 {
		return false
	}
	b, _ := s.r.Peek(n)
	return bytes.Contains(b, []byte("\n\n")) || bytes.Contains(b, []byte("\n\r\n"))
}

// readLine returns the next line without its line ending.
func (s *SSEReader) readLine() ([]byte, error) {
	line, err := s.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		s.line = append(s.line[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = s.r.ReadSlice('\n')
			s.line = append(s.line, line...)
			if len(s.line) > MaxEventSize {
				return nil, ErrEventTooLarge
			}
		}
		line = s.line
	}
	if err != nil && (err != io.EOF || len(line) == 0) {
		return nil, err
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r")), nil
}
