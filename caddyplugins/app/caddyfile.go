package app

import (
	"strconv"

	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/dustin/go-humanize"
)

func init() {
	httpcaddyfile.RegisterGlobalOption("aigw", parseGlobalOption)
}

// parseGlobalOption sets up the aigw app from the global options block:
//
//	{
//		aigw {
//			database_url     <url>      # e.g. {env.DATABASE_URL}
//			max_db_conns     <n>
//			redis_url        <url>      # e.g. {env.REDIS_URL}; omit on one node
//			models           <path>
//			providers        <path>
//			routing_rules    <path>
//			guardrails       <path>     # guardrail policies
//			max_request_body <size>     # e.g. 8MB
//			audit_queue_size <events>   # default 10000
//		}
//	}
func parseGlobalOption(d *caddyfile.Dispenser, existing any) (any, error) {
	a := new(App)
	if err := a.UnmarshalCaddyfile(d); err != nil {
		return nil, err
	}
	return httpcaddyfile.App{Name: "aigw", Value: caddyconfig.JSON(a, nil)}, nil
}

// UnmarshalCaddyfile reads the aigw global option block.
func (a *App) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the option name
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
		case "database_url":
			a.DatabaseURL = val
		case "redis_url":
			a.RedisURL = val
		case "models":
			a.Models = val
		case "providers":
			a.Providers = val
		case "routing_rules":
			a.RoutingRules = val
		case "guardrails":
			a.Guardrails = val
		case "audit_queue_size":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				return d.Errf("audit_queue_size %q: want a positive whole number", val)
			}
			a.AuditQueueSize = n
		case "max_db_conns":
			n, err := strconv.ParseInt(val, 10, 32)
			if err != nil || n < 1 {
				return d.Errf("max_db_conns %q: want a positive whole number", val)
			}
			a.MaxDBConns = int32(n)
		case "max_request_body":
			n, err := humanize.ParseBytes(val)
			if err != nil || n < 1024 || n > 1<<30 {
				return d.Errf("max_request_body %q: want a size between 1KB and 1GB, such as 8MB", val)
			}
			a.MaxRequestBody = int64(n)
		default:
			return d.Errf("unrecognized aigw option %q", key)
		}
	}
	return nil
}

// Interface guard.
var _ caddyfile.Unmarshaler = (*App)(nil)
