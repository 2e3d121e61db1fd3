// Command aigw is Caddy v2 with the aigw modules compiled in: the same binary
// `make aigw` builds with xcaddy. Run `aigw run --config Caddyfile`.
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/aigw/aigw/caddyplugins/all"
)

func main() {
	caddycmd.Main()
}
