# Builds the aigw binary with xcaddy, as Caddy plugins are usually built. The
# result has the same modules as `go build ./caddyplugins/cmd/aigw` (make build).
# xcaddy runs outside the workspace (GOWORK=off): each plugin package is named
# with --with, and each local module is replaced by its folder.
XCADDY_VERSION ?= v0.4.5
CADDY_VERSION ?= $(shell awk '$$1 == "github.com/caddyserver/caddy/v2" {print $$2}' caddyplugins/go.mod)
AIGW_PLUGINS := all
XCADDY := $(CURDIR)/bin/xcaddy

# xcaddy itself comes from the module proxy. The build then runs offline
# (GOPROXY=off) on the module cache that `go mod download` warms: the proxy
# answers 403, not 404, for the plugin packages' would-be module paths, which
# stops `go get` from falling back to the local replacements.
bin/xcaddy:
	mkdir -p bin
	GOWORK=off GOBIN=$(CURDIR)/bin $(GO) install github.com/caddyserver/xcaddy/cmd/xcaddy@$(XCADDY_VERSION)
	cd caddyplugins && GOWORK=off $(GO) mod download

.PHONY: aigw
## aigw: build bin/aigw with xcaddy
aigw: bin/xcaddy
	mkdir -p bin
	GOWORK=off GOPROXY=off GOSUMDB=off $(XCADDY) build $(CADDY_VERSION) \
		--output bin/aigw \
		$(foreach p,$(AIGW_PLUGINS),--with github.com/aigw/aigw/caddyplugins/$(p)) \
		--replace github.com/aigw/aigw/caddyplugins=$(CURDIR)/caddyplugins \
		--replace github.com/aigw/aigw=$(CURDIR)
	bin/aigw list-modules | grep -E '^(aigw|http\.handlers\.aigw_)'
