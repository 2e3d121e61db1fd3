package route

import (
	"strconv"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("aigw_route", parseCaddyfile)
	// Last of the aigw chain, after every directive that may refuse a request.
	httpcaddyfile.RegisterDirectiveOrder("aigw_route", httpcaddyfile.Before, "request_header")
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	m := new(Handler)
	err := m.UnmarshalCaddyfile(h.Dispenser)
	return m, err
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens:
//
//	aigw_route {
//		max_idle_conns_per_provider <n>   # default 256
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
		case "max_idle_conns_per_provider":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				return d.Errf("max_idle_conns_per_provider %q: want a positive whole number", val)
			}
			h.MaxIdleConnsPerProvider = n
		default:
			return d.Errf("unrecognized aigw_route option %q", key)
		}
	}
	return nil
}

// Interface guard.
var _ caddyfile.Unmarshaler = (*Handler)(nil)
