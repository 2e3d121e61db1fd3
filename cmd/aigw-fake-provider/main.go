// Command aigw-fake-provider serves the fake OpenAI-compatible provider used by
// `make bench` and by hand-testing against a local "upstream".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aigw/aigw/internal/fakeprovider"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "aigw-fake-provider:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:9090", "listen address (loopback only)")
	key := flag.String("key", "", "API key the provider requires (none when empty)")
	dims := flag.Int("dims", 8, "embedding dimensions")
	flag.Parse()

	fp := fakeprovider.New(*key)
	fp.Dimensions = *dims
	srv := &http.Server{Addr: *addr, Handler: fp, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdownCtx) //nolint:errcheck
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
