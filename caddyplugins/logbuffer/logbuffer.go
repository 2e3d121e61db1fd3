// Package logbuffer is the aigw_buffered Caddy log writer: it holds log lines
// in memory and hands them to another log writer (stderr by default) in large
// writes, at most FlushInterval after the first line waiting, when the buffer
// is full, and when the writer is closed. Caddy's own writers make one write(2)
// per line; aigw's shipped Caddyfile sends the meter's access log, one line per
// request, through this writer instead.
//
// A clean stop or a reload loses nothing: Caddy keeps a log writer open across
// configurations with the same writer (it does not close writers when a config
// is unloaded, as of v2.11), so the writer is written out when a config that
// uses it is cleaned up (a reload, `caddy stop`, SIGTERM/SIGINT) and when the
// process exits through Caddy, and Close writes out what is held. A crash
// (SIGKILL, power loss) can lose up to FlushInterval of lines.
package logbuffer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/dustin/go-humanize"
)

func init() {
	caddy.RegisterModule(Writer{})
	caddy.OnExit(func(context.Context) { flushAll() })
}

// open holds the buffered writers by their writer key: Caddy opens a writer
// once, through the first config that names it, and every later config's
// module finds it here.
var open = struct {
	sync.Mutex
	m map[string]*Buffered
}{m: map[string]*Buffered{}}

// flushed writes out the buffered writer opened for key, if any.
func flushed(key string) error {
	open.Lock()
	b := open.m[key]
	open.Unlock()
	if b == nil {
		return nil
	}
	return b.Flush()
}

func flushAll() {
	open.Lock()
	bs := make([]*Buffered, 0, len(open.m))
	for _, b := range open.m {
		bs = append(bs, b)
	}
	open.Unlock()
	for _, b := range bs {
		_ = b.Flush()
	}
}

// Defaults of the writer's settings.
const (
	DefaultSize          = 256 << 10
	DefaultFlushInterval = time.Second
)

// Writer is the aigw_buffered log writer module.
type Writer struct {
	// OutputRaw is the writer the lines go to (default stderr); `output` in
	// the Caddyfile.
	OutputRaw json.RawMessage `json:"writer,omitempty" caddy:"namespace=caddy.logging.writers inline_key=output"`
	// Size is the most bytes held before they are written (default 256 KiB).
	Size int `json:"size,omitempty"`
	// FlushInterval is the longest a line waits before it is written
	// (default 1s): a crash can lose this much of the log.
	FlushInterval caddy.Duration `json:"flush_interval,omitempty"`

	out caddy.WriterOpener
}

// CaddyModule returns the Caddy module information.
func (Writer) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "caddy.logging.writers.aigw_buffered", New: func() caddy.Module { return new(Writer) }}
}

// Provision loads the wrapped writer and sets the defaults.
func (w *Writer) Provision(ctx caddy.Context) error {
	if w.OutputRaw == nil {
		w.out = caddy.StderrWriter{}
	} else {
		mod, err := ctx.LoadModule(w, "OutputRaw")
		if err != nil {
			return fmt.Errorf("aigw_buffered: loading the output writer: %w", err)
		}
		w.out = mod.(caddy.WriterOpener)
	}
	if w.Size == 0 {
		w.Size = DefaultSize
	}
	if w.FlushInterval == 0 {
		w.FlushInterval = caddy.Duration(DefaultFlushInterval)
	}
	return nil
}

// Validate checks the settings.
func (w *Writer) Validate() error {
	if w.Size < 1 || w.FlushInterval <= 0 {
		return errors.New("aigw_buffered: size and flush_interval must be positive")
	}
	return nil
}

func (w *Writer) String() string {
	return "buffered " + w.out.String()
}

// WriterKey identifies the buffered writer by its settings and its output's
// key: the same configuration reloaded shares the open writer.
func (w *Writer) WriterKey() string {
	return "aigw_buffered:" + strconv.Itoa(w.Size) + ":" + time.Duration(w.FlushInterval).String() + ":" + w.out.WriterKey()
}

// OpenWriter opens the output and buffers in front of it.
func (w *Writer) OpenWriter() (io.WriteCloser, error) {
	out, err := w.out.OpenWriter()
	if err != nil {
		return nil, err
	}
	b := New(out, w.Size, time.Duration(w.FlushInterval))
	key := w.WriterKey()
	b.onClose = func() {
		open.Lock()
		if open.m[key] == b {
			delete(open.m, key)
		}
		open.Unlock()
	}
	open.Lock()
	open.m[key] = b
	open.Unlock()
	return b, nil
}

// Cleanup writes out what the config's log holds: the config is being
// reloaded or stopped.
func (w *Writer) Cleanup() error {
	if w.out == nil {
		return nil
	}
	return flushed(w.WriterKey())
}

// UnmarshalCaddyfile reads
//
//	output aigw_buffered {
//		size           <bytes>     # default 256KiB
//		flush_interval <duration>  # default 1s
//		output         <writer> ...  # default stderr
//	}
func (w *Writer) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the writer's name
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		switch d.Val() {
		case "size":
			if !d.NextArg() {
				return d.ArgErr()
			}
			n, err := humanize.ParseBytes(d.Val())
			if err != nil || n < 1 || n > 64<<20 {
				return d.Errf("size %q: want a size between 1B and 64MiB, such as 256KiB", d.Val())
			}
			w.Size = int(n)
		case "flush_interval":
			if !d.NextArg() {
				return d.ArgErr()
			}
			dur, err := caddy.ParseDuration(d.Val())
			if err != nil || dur <= 0 {
				return d.Errf("flush_interval %q: want a positive duration, such as 1s", d.Val())
			}
			w.FlushInterval = caddy.Duration(dur)
		case "output":
			if !d.NextArg() {
				return d.ArgErr()
			}
			name := d.Val()
			// Caddy's standard writers have no Caddyfile unmarshaler (the
			// log directive names them itself), so they are named here.
			var wo caddy.WriterOpener
			switch name {
			case "stdout":
				wo = caddy.StdoutWriter{}
			case "stderr":
				wo = caddy.StderrWriter{}
			case "discard":
				wo = caddy.DiscardWriter{}
			case "aigw_buffered":
				return d.Err("aigw_buffered inside aigw_buffered")
			default:
				unm, err := caddyfile.UnmarshalModule(d, "caddy.logging.writers."+name)
				if err != nil {
					return err
				}
				var ok bool
				if wo, ok = unm.(caddy.WriterOpener); !ok {
					return d.Errf("module %s (%T) is not a log writer", name, unm)
				}
			}
			w.OutputRaw = caddyconfig.JSONModuleObject(wo, "output", name, nil)
		default:
			return d.Errf("unrecognized aigw_buffered option %q", d.Val())
		}
	}
	return nil
}

// Buffered holds writes in memory and passes them on to its output in large
// writes. It is safe for concurrent use; each Write is kept whole.
type Buffered struct {
	out      io.WriteCloser
	size     int
	interval time.Duration

	mu     sync.Mutex
	buf    []byte
	timer  *time.Timer // armed while buf holds something
	closed bool

	onClose func()
}

// New returns a Buffered writer in front of out holding up to size bytes,
// none longer than interval.
func New(out io.WriteCloser, size int, interval time.Duration) *Buffered {
	return &Buffered{out: out, size: size, interval: interval}
}

// Write holds p, writing out what is held first when p does not fit. A p as
// large as the buffer goes straight out.
func (b *Buffered) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return b.out.Write(p)
	}
	if len(b.buf)+len(p) > b.size {
		if err := b.flushLocked(); err != nil {
			return 0, err
		}
		if len(p) >= b.size {
			return b.out.Write(p)
		}
	}
	if b.buf == nil {
		b.buf = make([]byte, 0, b.size)
	}
	b.buf = append(b.buf, p...)
	if b.timer == nil {
		b.timer = time.AfterFunc(b.interval, b.flushTimer)
	} else if len(b.buf) == len(p) {
		b.timer.Reset(b.interval)
	}
	return len(p), nil
}

// flushTimer writes out what is held when the interval is up. An error has
// nobody to go to: the lines are dropped, as an unbuffered write's would be.
func (b *Buffered) flushTimer() {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.flushLocked()
}

// Flush writes out what is held.
func (b *Buffered) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

// Sync writes out what is held (zap calls it on errors and fatal entries).
func (b *Buffered) Sync() error { return b.Flush() }

func (b *Buffered) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	if b.timer != nil {
		b.timer.Stop()
	}
	_, err := b.out.Write(b.buf)
	b.buf = b.buf[:0]
	return err
}

// Close writes out what is held and closes the output; later writes go
// straight to the output.
func (b *Buffered) Close() error {
	if b.onClose != nil {
		b.onClose()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	err := b.flushLocked()
	b.closed = true
	if b.timer != nil {
		b.timer.Stop()
	}
	return errors.Join(err, b.out.Close())
}

// Interface guards.
var (
	_ caddy.Provisioner     = (*Writer)(nil)
	_ caddy.Validator       = (*Writer)(nil)
	_ caddy.CleanerUpper    = (*Writer)(nil)
	_ caddy.WriterOpener    = (*Writer)(nil)
	_ caddyfile.Unmarshaler = (*Writer)(nil)
	_ io.WriteCloser        = (*Buffered)(nil)
)
