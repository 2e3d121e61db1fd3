package server

import (
	"net/http"
	"strings"
	"testing"
)

func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t)
	e.do("GET", "/healthz", "", nil).want(http.StatusOK)
	e.do("GET", "/readyz", "", nil).want(http.StatusOK)
	e.pool.Close()
	res := e.do("GET", "/readyz", "", nil).want(http.StatusServiceUnavailable)
	if !strings.Contains(string(res.Body), `"database":"down"`) {
		t.Errorf("readyz with the database gone: %s", res.Body)
	}
}
