package meter

import (
	"io"
	"net/http"
	"time"
)

// recorder wraps the response writer to learn the status, count bytes and
// set the meter's headers just before the header goes out; what a stream
// carried, the router records in the request state. It passes Flush,
// ReadFrom and Unwrap through, so handlers that stream, io.Copy or use
// http.NewResponseController keep working.
type recorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	headerAt    time.Time
	bytes       int64
	// beforeHeader sets the meter's headers; called once.
	beforeHeader func(h http.Header, status int, now time.Time)
}

// WriteHeader records the status and lets the meter set its headers first.
// Informational (1xx) headers pass through untouched.
func (w *recorder) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.wroteHeader, w.status = true, code
	w.headerAt = time.Now()
	h := w.ResponseWriter.Header()
	if w.beforeHeader != nil {
		w.beforeHeader(h, code, w.headerAt)
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write counts p.
func (w *recorder) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom lets io.Copy use the underlying writer's ReadFrom.
func (w *recorder) ReadFrom(r io.Reader) (int64, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err := rf.ReadFrom(r)
		w.bytes += n
		return n, err
	}
	return io.Copy(writerOnly{w}, r)
}

// writerOnly hides ReadFrom so that io.Copy does not recurse.
type writerOnly struct{ io.Writer }

// FlushError flushes the underlying writer (http.ResponseController's method).
func (w *recorder) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush implements http.Flusher.
func (w *recorder) Flush() { _ = w.FlushError() }

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Interface guards.
var (
	_ http.Flusher  = (*recorder)(nil)
	_ io.ReaderFrom = (*recorder)(nil)
)
