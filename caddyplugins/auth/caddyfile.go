package auth

import (
	"strconv"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("aigw_auth", parseCaddyfile)
	// First of the aigw chain; see the shipped Caddyfile for the whole order.
	httpcaddyfile.RegisterDirectiveOrder("aigw_auth", httpcaddyfile.Before, "basic_auth")
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	m := new(Handler)
	err := m.UnmarshalCaddyfile(h.Dispenser)
	return m, err
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens:
//
//	aigw_auth {
//		cache_ttl          <duration>   # default 30s
//		negative_cache_ttl <duration>   # default 10s
//		cache_size         <n>          # default 100000
//		lookup_timeout     <duration>   # default 2s
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
		case "cache_ttl", "negative_cache_ttl", "lookup_timeout":
			dur, err := caddy.ParseDuration(val)
			if err != nil || dur < 0 {
				return d.Errf("%s %q: want a duration such as 30s", key, val)
			}
			durations := map[string]*caddy.Duration{
				"cache_ttl": &h.CacheTTL, "negative_cache_ttl": &h.NegativeCacheTTL, "lookup_timeout": &h.LookupTimeout,
			}
			*durations[key] = caddy.Duration(dur)
		case "cache_size":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				return d.Errf("cache_size %q: want a positive whole number", val)
			}
			h.CacheSize = n
		default:
			return d.Errf("unrecognized aigw_auth option %q", key)
		}
	}
	return nil
}

// Interface guard.
var _ caddyfile.Unmarshaler = (*Handler)(nil)
