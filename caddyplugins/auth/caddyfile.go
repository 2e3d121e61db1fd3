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
//		cache_ttl          <duration>   # default 5m; re-read in the background after it
//		negative_cache_ttl <duration>   # default 10s
//		stale_ttl          <duration>   # default 1h: known keys keep working this long while PostgreSQL is down
//		cache_size         <n>          # default 100000
//		lookup_timeout     <duration>   # default 2s
//		notifications      on|off       # default on: LISTEN for key changes (revocations apply within a second)
//		failure_threshold  <n>          # default 20 refused keys from one address ...
//		failure_window     <duration>   # ... within 1m raise one security.invalid_api_keys audit event; -1: off
//	}
//
// Keys are accepted from "Authorization: Bearer", "x-api-key" and "api-key".
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
		case "cache_ttl", "negative_cache_ttl", "lookup_timeout", "stale_ttl", "failure_window":
			dur, err := caddy.ParseDuration(val)
			if err != nil || dur < 0 {
				return d.Errf("%s %q: want a duration such as 30s", key, val)
			}
			durations := map[string]*caddy.Duration{
				"cache_ttl": &h.CacheTTL, "negative_cache_ttl": &h.NegativeCacheTTL, "lookup_timeout": &h.LookupTimeout,
				"stale_ttl": &h.StaleTTL, "failure_window": &h.FailureWindow,
			}
			*durations[key] = caddy.Duration(dur)
		case "notifications":
			if val != "on" && val != "off" {
				return d.Errf("notifications %q: want on or off", val)
			}
			on := val == "on"
			h.Notifications = &on
		case "failure_threshold":
			n, err := strconv.Atoi(val)
			if err != nil || n == 0 {
				return d.Errf("failure_threshold %q: want a positive whole number, or -1 to turn the audit event off", val)
			}
			h.FailureThreshold = n
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
