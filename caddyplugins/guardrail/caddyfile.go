package guardrail

import (
	"strconv"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("aigw_guardrail", parseCaddyfile)
	// After auth, metering and limits; before aigw_route, which is ordered
	// before request_header.
	httpcaddyfile.RegisterDirectiveOrder("aigw_guardrail", httpcaddyfile.After, "forward_auth")
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	m := new(Handler)
	err := m.UnmarshalCaddyfile(h.Dispenser)
	return m, err
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens:
//
//	aigw_guardrail [<policy>] {
//		policy           <name>       # default bfsi-standard
//		policies_file    <path>       # default configs/guardrails.yaml
//		shadow                        # record, do not act
//		output           on|off       # screen answers (default on)
//		stream_window    <bytes>      # default 256
//		tenant_policies  on|off       # tenants' own policies from the database (default on)
//		refresh_interval <duration>   # default 10s
//		self_check <model> {          # off unless given: ask a catalog model Yes/No
//			timeout     <duration>    # default 5s
//			fail_closed               # block when the check fails (default: allow)
//			output                    # also check non-streamed answers
//			stream                    # also check streamed answers, in batches
//			stream_bytes <bytes>      # batch size (default 512)
//			stream_wait  <duration>   # longest a batch waits to fill (default 2s)
//		}
//		nemo <url> {                  # off unless given: a NeMo Guardrails server
//			config_id   <id>
//			refusal     <text>        # refusal text that means blocked
//			timeout     <duration>
//			fail_closed
//			output
//			stream
//			stream_bytes <bytes>
//			stream_wait  <duration>
//		}
//	}
func (h *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // directive name
	if d.NextArg() {
		h.Policy = d.Val()
		if d.NextArg() {
			return d.ArgErr()
		}
	}
	for d.NextBlock(0) {
		key := d.Val()
		switch key {
		case "shadow":
			if d.NextArg() {
				return d.ArgErr()
			}
			h.Shadow = true
			continue
		case "self_check":
			c := &SelfCheckConfig{}
			if !d.Args(&c.Model) || d.NextArg() {
				return d.ArgErr()
			}
			if err := parseRail(d, &c.RailConfig, nil); err != nil {
				return err
			}
			h.SelfCheck = c
			continue
		case "nemo":
			c := &NeMoConfig{}
			if !d.Args(&c.URL) || d.NextArg() {
				return d.ArgErr()
			}
			err := parseRail(d, &c.RailConfig, func(key, val string) bool {
				switch key {
				case "config_id":
					c.ConfigID = val
				case "refusal":
					c.Refusal = val
				default:
					return false
				}
				return true
			})
			if err != nil {
				return err
			}
			h.NeMo = c
			continue
		}
		var val string
		if !d.AllArgs(&val) {
			return d.ArgErr()
		}
		switch key {
		case "policy":
			h.Policy = val
		case "policies_file":
			h.PoliciesFile = val
		case "output", "tenant_policies":
			on, err := onOff(d, key, val)
			if err != nil {
				return err
			}
			if key == "output" {
				h.SkipOutput = !on
			} else {
				h.TenantPolicies = &on
			}
		case "stream_window":
			n, err := strconv.Atoi(val)
			if err != nil || n < 16 {
				return d.Errf("stream_window %q: want a number of bytes, at least 16", val)
			}
			h.StreamWindow = n
		case "refresh_interval":
			dur, err := caddy.ParseDuration(val)
			if err != nil || dur <= 0 {
				return d.Errf("refresh_interval %q: want a duration such as 10s", val)
			}
			h.RefreshInterval = caddy.Duration(dur)
		default:
			return d.Errf("unrecognized aigw_guardrail option %q", key)
		}
	}
	return nil
}

// parseRail reads an external rail's block; extra handles rail-specific
// options with one value and reports whether it knew the option.
func parseRail(d *caddyfile.Dispenser, c *RailConfig, extra func(key, val string) bool) error {
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		key := d.Val()
		switch key {
		case "fail_closed", "output", "stream":
			if d.NextArg() {
				return d.ArgErr()
			}
			switch key {
			case "fail_closed":
				c.FailClosed = true
			case "output":
				c.Output = true
			default:
				c.Stream = true
			}
			continue
		}
		var val string
		if !d.AllArgs(&val) {
			return d.ArgErr()
		}
		switch key {
		case "timeout", "stream_wait":
			dur, err := caddy.ParseDuration(val)
			if err != nil || dur <= 0 {
				return d.Errf("%s %q: want a duration such as 3s", key, val)
			}
			if key == "timeout" {
				c.Timeout = caddy.Duration(dur)
			} else {
				c.StreamWait = caddy.Duration(dur)
			}
			continue
		case "stream_bytes":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > 1<<20 {
				return d.Errf("stream_bytes %q: want 1 to 1048576", val)
			}
			c.StreamBytes = n
			continue
		}
		if extra == nil || !extra(key, val) {
			return d.Errf("unrecognized option %q for an external rail", key)
		}
	}
	return nil
}

func onOff(d *caddyfile.Dispenser, key, val string) (bool, error) {
	switch val {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, d.Errf("%s %q: want on or off", key, val)
}

// Interface guard.
var _ caddyfile.Unmarshaler = (*Handler)(nil)
