# aigw — two commands: `make run` starts everything, `make test` runs every test.
SHELL := /bin/bash
GO ?= go
MODULES := . caddyplugins admin-api

.PHONY: run test build bench bench-go profile guard-eval guard-train vet fmt clean stop-services

## run: build, start PostgreSQL (unless DATABASE_URL is set), migrate, seed, start the admin API and the gateway
run:
	@scripts/run.sh

## test: start PostgreSQL and Redis, run every test of every module with -race
test:
	@scripts/test.sh

# The flags xcaddy uses, so that `make build` and `make aigw` give the same binary.
AIGW_BUILD_FLAGS := -trimpath -ldflags '-w -s' -tags nobadger,nomysql,nopgx

## build: bin/aigw (Caddy with the aigw modules and the dashboard built in), bin/aigw-admin, bin/aigw-fake-provider
build:
	@scripts/dashboard.sh build
	CGO_ENABLED=0 $(GO) build $(AIGW_BUILD_FLAGS) -o bin/aigw ./caddyplugins/cmd/aigw
	$(GO) build -o bin/aigw-admin ./admin-api/cmd/aigw-admin
	$(GO) build -o bin/aigw-fake-provider ./cmd/aigw-fake-provider

## bench: load the fake provider, bare Caddy and the aigw chain; print req/s, latency, ratios, CPU per request
bench:
	@scripts/bench.sh

## profile: pprof CPU and allocation profiles of the running chain under load (plain and streamed)
profile:
	@scripts/profile.sh

## bench-go: Go benchmarks of the hot path
bench-go:
	cd caddyplugins && $(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...

## guard-eval: precision, recall and F1 per guardrail detector on the labelled corpus (bfsi-strict and
## bfsi-standard), then the learned detectors on their held-out split beside the in-corpus figures,
## and the held-out figures again without the sources added in the fourth pass (comparable with earlier ones)
guard-eval:
	$(GO) run ./cmd/aigw-guard-eval -v -policy bfsi-strict
	$(GO) run ./cmd/aigw-guard-eval -policy bfsi-standard
	$(GO) run ./cmd/aigw-guard-eval -learned -v
	$(GO) run ./cmd/aigw-guard-eval -learned -without new

## guard-train: train the learned guardrail detectors from internal/guard/textclass/data (deterministic)
## and write the embedded model internal/guard/textclass/model.bin.gz
guard-train:
	$(GO) run ./cmd/aigw-guard-train

vet:
	@for m in $(MODULES); do (cd $$m && $(GO) vet ./...) || exit 1; done

fmt:
	gofmt -w $$(git ls-files '*.go')

stop-services:
	-scripts/postgres.sh stop
	-scripts/redis.sh stop

clean:
	rm -rf bin

include xcaddy.mk
