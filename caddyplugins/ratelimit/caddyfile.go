package ratelimit

import (
	"strconv"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("aigw_ratelimit", parseCaddyfile)
	// After aigw_auth (and aigw_meter, which also sits before forward_auth).
	httpcaddyfile.RegisterDirectiveOrder("aigw_ratelimit", httpcaddyfile.Before, "forward_auth")
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	m := new(Handler)
	err := m.UnmarshalCaddyfile(h.Dispenser)
	return m, err
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens:
//
//	aigw_ratelimit {
//		backend              auto|memory|redis   # default auto: redis when the aigw app has redis_url
//		on_redis_error       open|closed         # default open: fall back to this node's limits
//		redis_timeout        <duration>          # default 250ms
//		key_prefix           <string>            # default aigw:rl:
//		time_zone            <IANA zone>         # default UTC; budgets reset at its month boundaries
//		default_max_tokens   <n>                 # default 4096; completion estimate without max_tokens
//		image_tokens         <n>                 # default 4000; reserved per image part
//		max_request_duration <duration>          # default 10m; lease of a concurrency slot in Redis
//		key    [rpm <n>] [tpm <n>] [concurrency <n>] [budget <USD>]
//		user   [rpm <n>] [tpm <n>] [concurrency <n>] [budget <USD>]
//		tenant [rpm <n>] [tpm <n>] [concurrency <n>] [budget <USD>]
//		model  [rpm <n>] [tpm <n>] [concurrency <n>]
//	}
//
// A limit of 0 is no limit. The key, user, tenant and model lines are defaults for each key, user,
// tenant and model; the database's per-key and per-tenant (and per-user)
// limits override them.
func (h *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // directive name
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		key := d.Val()
		switch key {
		case "key", "user", "tenant", "model":
			l, err := parseLimits(d, key)
			if err != nil {
				return err
			}
			*map[string]**Limits{"key": &h.Key, "user": &h.User, "tenant": &h.Tenant, "model": &h.Model}[key] = l
			continue
		}
		var val string
		if !d.AllArgs(&val) {
			return d.ArgErr()
		}
		if err := h.setOption(d, key, val); err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) setOption(d *caddyfile.Dispenser, key, val string) error {
	switch key {
	case "backend":
		if val != "auto" && val != "memory" && val != "redis" {
			return d.Errf("backend %q: want auto, memory or redis", val)
		}
		h.Backend = val
	case "on_redis_error":
		if val != "open" && val != "closed" {
			return d.Errf("on_redis_error %q: want open or closed", val)
		}
		h.OnRedisError = val
	case "redis_timeout", "max_request_duration":
		dur, err := caddy.ParseDuration(val)
		if err != nil || dur <= 0 {
			return d.Errf("%s %q: want a positive duration such as 250ms", key, val)
		}
		*map[string]*caddy.Duration{"redis_timeout": &h.RedisTimeout, "max_request_duration": &h.MaxRequestDuration}[key] = caddy.Duration(dur)
	case "key_prefix":
		h.KeyPrefix = val
	case "time_zone":
		h.TimeZone = val
	case "default_max_tokens", "image_tokens":
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 {
			return d.Errf("%s %q: want a positive whole number", key, val)
		}
		*map[string]*int{"default_max_tokens": &h.DefaultMaxTokens, "image_tokens": &h.ImageTokens}[key] = n
	default:
		return d.Errf("unrecognized aigw_ratelimit option %q", key)
	}
	return nil
}

// parseLimits reads "rpm 600 tpm 100000 concurrency 10 budget 250" pairs.
func parseLimits(d *caddyfile.Dispenser, scope string) (*Limits, error) {
	args := d.RemainingArgs()
	if len(args) == 0 || len(args)%2 != 0 {
		return nil, d.Errf("%s: want pairs such as rpm 600 tpm 100000 concurrency 10 budget 250", scope)
	}
	l := new(Limits)
	for i := 0; i < len(args); i += 2 {
		name, val := args[i], args[i+1]
		if name == "budget" && scope != "model" {
			if val == "0" {
				continue // no budget
			}
			if _, err := parseUSD(val); err != nil {
				return nil, d.Errf("%s budget %q: want a positive dollar amount such as 100 or 99.50", scope, val)
			}
			l.Budget = val
			continue
		}
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil || n < 0 {
			return nil, d.Errf("%s %s %q: want a whole number (0: unlimited)", scope, name, val)
		}
		switch name {
		case "rpm":
			l.RPM = n
		case "tpm":
			l.TPM = n
		case "concurrency":
			l.Concurrency = n
		default:
			return nil, d.Errf("%s: unknown limit %q (want rpm, tpm, concurrency or budget)", scope, name)
		}
	}
	return l, nil
}

// Interface guard.
var _ caddyfile.Unmarshaler = (*Handler)(nil)
