package testdb

import (
	"os"
	"testing"
)

// RedisURL returns the URL of the Redis server that `make test` starts
// (AIGW_TEST_REDIS_URL), or skips the test when there is none — fails it
// under `make test`, where AIGW_REQUIRE_INTEGRATION=1. Tests share the server:
// use a key prefix of your own and clean it up.
func RedisURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("AIGW_TEST_REDIS_URL")
	if url == "" {
		Missing(t, "AIGW_TEST_REDIS_URL is not set; `make test` starts Redis and sets it")
	}
	return url
}
