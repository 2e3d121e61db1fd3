// Package all imports every aigw Caddy module, so that the aigw binary and the
// tests register the same set. Add a new module here and to AIGW_PLUGINS in
// xcaddy.mk.
package all

import (
	_ "github.com/aigw/aigw/caddyplugins/app"       // the aigw app
	_ "github.com/aigw/aigw/caddyplugins/auth"      // aigw_auth
	_ "github.com/aigw/aigw/caddyplugins/dashboard" // aigw_dashboard
	_ "github.com/aigw/aigw/caddyplugins/guardrail" // aigw_guardrail
	_ "github.com/aigw/aigw/caddyplugins/logbuffer" // the aigw_buffered log writer
	_ "github.com/aigw/aigw/caddyplugins/meter"     // aigw_meter
	_ "github.com/aigw/aigw/caddyplugins/ratelimit" // aigw_ratelimit
	_ "github.com/aigw/aigw/caddyplugins/ready"     // aigw_ready
	_ "github.com/aigw/aigw/caddyplugins/route"     // aigw_route
)
