package dashboard

import (
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("aigw_dashboard", parseCaddyfile)
	// A terminal handler for GET and HEAD, like file_server.
	httpcaddyfile.RegisterDirectiveOrder("aigw_dashboard", httpcaddyfile.Before, "file_server")
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	m := new(Handler)
	err := m.UnmarshalCaddyfile(h.Dispenser)
	return m, err
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens:
//
//	aigw_dashboard {
//		root <dir>    # serve this build folder instead of the embedded one
//		csp  <policy> # replace the Content-Security-Policy
//	}
func (h *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // directive name
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		switch d.Val() {
		case "root":
			if !d.AllArgs(&h.Root) {
				return d.ArgErr()
			}
		case "csp":
			if !d.AllArgs(&h.CSP) || h.CSP == "" {
				return d.ArgErr()
			}
		default:
			return d.Errf("unrecognized aigw_dashboard option %q", d.Val())
		}
	}
	return nil
}

// Interface guard.
var _ caddyfile.Unmarshaler = (*Handler)(nil)
