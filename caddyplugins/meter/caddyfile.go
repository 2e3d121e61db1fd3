package meter

import (
	"strconv"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("aigw_meter", parseCaddyfile)
	// Right after aigw_auth, so that every authenticated request is metered,
	// including those later handlers refuse.
	httpcaddyfile.RegisterDirectiveOrder("aigw_meter", httpcaddyfile.After, "basic_auth")
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	m := new(Handler)
	err := m.UnmarshalCaddyfile(h.Dispenser)
	return m, err
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens:
//
//	aigw_meter {
//		spool_dir        <path>       # default <data dir>/aigw/usage-spool/<db hash>
//		buffer_size      <rows>       # default 65536
//		batch_size       <rows>       # default 2000
//		flush_interval   <duration>   # default 200ms
//		access_log       on|off       # default on
//		audit_requests   on|off       # default on
//		abuse_threshold  <refusals>   # default 50
//		abuse_window     <duration>   # default 1m
//	}
func (h *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // directive name
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		key := d.Val()
		var val string
		if !d.AllArgs(&val) {
			return d.ArgErr()
		}
		switch key {
		case "spool_dir":
			h.SpoolDir = val
		case "buffer_size", "batch_size", "abuse_threshold":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				return d.Errf("%s %q: want a positive whole number", key, val)
			}
			ints := map[string]*int{"buffer_size": &h.BufferSize, "batch_size": &h.BatchSize,
				"abuse_threshold": &h.AbuseThreshold}
			*ints[key] = n
		case "flush_interval", "abuse_window":
			dur, err := caddy.ParseDuration(val)
			if err != nil || dur <= 0 {
				return d.Errf("%s %q: want a positive duration such as 200ms", key, val)
			}
			durs := map[string]*caddy.Duration{"flush_interval": &h.FlushInterval, "abuse_window": &h.AbuseWindow}
			*durs[key] = caddy.Duration(dur)
		case "access_log", "audit_requests":
			if val != "on" && val != "off" {
				return d.Errf("%s %q: want on or off", key, val)
			}
			if key == "access_log" {
				h.DisableAccessLog = val == "off"
			} else {
				h.DisableAuditRequests = val == "off"
			}
		case "audit_queue_size":
			return d.Errf("audit_queue_size is an option of the aigw global block now: the app owns the one audit queue")
		default:
			return d.Errf("unrecognized aigw_meter option %q", key)
		}
	}
	return nil
}

// Interface guard.
var _ caddyfile.Unmarshaler = (*Handler)(nil)
