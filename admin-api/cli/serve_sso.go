package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/aigw/aigw/admin-api/server"
	"github.com/aigw/aigw/internal/secretbox"
	"github.com/aigw/aigw/internal/sso"
)

// ssoOptions reads single sign-on's settings from the environment:
// AIGW_PUBLIC_URL (the gateway's external URL, for the callback URL),
// AIGW_ENCRYPTION_KEY and AIGW_ENCRYPTION_RETIRED_KEYS (the keyring that
// seals client secrets). Without an encryption key the server starts, and
// refuses to store or use a client secret (503), saying so in its log.
func ssoOptions(getenv func(string) string, logger *zap.Logger) (server.SSOOptions, error) {
	var o server.SSOOptions
	o.PublicURL = getenv("AIGW_PUBLIC_URL")
	kr, err := secretbox.FromEnv(getenv("AIGW_ENCRYPTION_KEY"), getenv("AIGW_ENCRYPTION_RETIRED_KEYS"))
	if err != nil {
		return o, usageError{err.Error()}
	}
	if kr == nil {
		logger.Warn("AIGW_ENCRYPTION_KEY is not set: SSO client secrets cannot be stored or used (public clients with PKCE still work); set it to a random 32-byte key, for example `openssl rand -base64 32`")
	} else {
		o.Keyring = kr
		logger.Info("secrets are sealed with AIGW_ENCRYPTION_KEY", zap.String("key_id", kr.CurrentKeyID()))
	}
	return o, nil
}

// ssoStates returns where sign-ins in progress are kept: Redis when
// REDIS_URL is set (it must answer at start), in process otherwise.
func ssoStates(ctx context.Context, redisURL string) (sso.StateStore, func(), error) {
	if redisURL == "" {
		return nil, func() {}, nil
	}
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, nil, usageError{"REDIS_URL: not a redis:// or rediss:// URL"}
	}
	client := redis.NewClient(opt)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx).Err(); err != nil {
		client.Close()
		return nil, nil, fmt.Errorf("REDIS_URL is set but Redis does not answer: %w", err)
	}
	return sso.NewRedisStates(client, "", nil), func() { client.Close() }, nil
}
