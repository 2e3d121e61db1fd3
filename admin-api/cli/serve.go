package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/aigw/aigw/admin-api/server"
	"github.com/aigw/aigw/internal/session"
)

func init() {
	register("serve", "run the admin API server", serve)
}

func serve(ctx context.Context, args []string, _, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8081", "listen address")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := serverConfig(os.Getenv)
	if err != nil {
		return err
	}
	logger, err := zap.NewProduction()
	if err != nil {
		return err
	}
	defer logger.Sync() //nolint:errcheck
	if cfg.SSO, err = ssoOptions(os.Getenv, logger); err != nil {
		return err
	}
	s, closeFn, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	cfg.Store, cfg.Logger = s, logger
	states, closeStates, err := ssoStates(ctx, os.Getenv("REDIS_URL"))
	if err != nil {
		return err
	}
	defer closeStates()
	cfg.SSO.States = states
	handler, err := server.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          zap.NewStdLog(logger),
	}
	logger.Info("admin API listening", zap.String("addr", ln.Addr().String()), zap.Bool("development", cfg.Development),
		zap.Bool("registration_open", cfg.Development || cfg.AllowRegistration))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serverConfig reads the admin API's settings from the environment:
// AIGW_ENV (development or production, the default), SESSION_SECRET
// (required outside development), AIGW_ALLOW_REGISTRATION,
// AIGW_ADMIN_TRUSTED_PROXIES and the configuration files' variables the
// gateway reads too.
func serverConfig(getenv func(string) string) (server.Config, error) {
	var cfg server.Config
	switch env := getenv("AIGW_ENV"); env {
	case "development":
		cfg.Development = true
	case "", "production":
	default:
		return cfg, usageError{fmt.Sprintf("AIGW_ENV=%q: want development or production", env)}
	}
	cfg.SessionSecret = []byte(getenv("SESSION_SECRET"))
	if len(cfg.SessionSecret) == 0 && !cfg.Development {
		return cfg, usageError{"SESSION_SECRET is not set: set it to a random string of at least 32 bytes (for example `openssl rand -base64 48`); only AIGW_ENV=development runs without it"}
	}
	if n := len(cfg.SessionSecret); n > 0 && n < session.MinSecretLen {
		return cfg, usageError{fmt.Sprintf("SESSION_SECRET has %d bytes; it needs at least %d", n, session.MinSecretLen)}
	}
	switch v := getenv("AIGW_ALLOW_REGISTRATION"); v {
	case "true", "1":
		cfg.AllowRegistration = true
	case "", "false", "0":
	default:
		return cfg, usageError{fmt.Sprintf("AIGW_ALLOW_REGISTRATION=%q: want true or false", v)}
	}
	if v := getenv("AIGW_ADMIN_TRUSTED_PROXIES"); v != "" {
		cfg.TrustedProxies = []netip.Prefix{}
		for _, s := range strings.Split(v, ",") {
			p, err := netip.ParsePrefix(strings.TrimSpace(s))
			if err != nil {
				return cfg, usageError{fmt.Sprintf("AIGW_ADMIN_TRUSTED_PROXIES: %q is not a CIDR prefix such as 10.0.0.0/8", s)}
			}
			cfg.TrustedProxies = append(cfg.TrustedProxies, p)
		}
	}
	cfg.Configs = server.ConfigPaths{Models: getenv("AIGW_MODELS"), Providers: getenv("AIGW_PROVIDERS"),
		RoutingRules: getenv("AIGW_ROUTING_RULES"), Guardrails: getenv("AIGW_GUARDRAILS")}
	return cfg, nil
}
