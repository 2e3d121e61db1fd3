package server

import (
	"context"
	"net/http"
	"time"

	"go.uber.org/zap"
)

func init() {
	addRoutes(
		Route{Method: "GET", Path: "/healthz", Perm: PermPublic, Handle: healthz,
			Doc: Doc{Tag: "health", Summary: "The process is up", Response: Health{}}},
		Route{Method: "GET", Path: "/readyz", Perm: PermPublic, Handle: readyz,
			Doc: Doc{Tag: "health", Summary: "The database answers within two seconds (503 when not)", Response: Health{}, Errors: []int{503}}},
	)
}

// Health is the answer of the health routes.
type Health struct {
	Status   string `json:"status" enum:"ok,ready,unavailable"`
	Database string `json:"database,omitempty" enum:"up,down"`
}

func healthz(c *Call) error { return c.JSON(http.StatusOK, Health{Status: "ok"}) }

func readyz(c *Call) error {
	ctx, cancel := context.WithTimeout(c.R.Context(), 2*time.Second)
	defer cancel()
	if err := c.srv.store.Pool().Ping(ctx); err != nil {
		c.srv.logger.Warn("readiness check failed", zap.Error(err))
		return c.JSON(http.StatusServiceUnavailable, Health{Status: "unavailable", Database: "down"})
	}
	return c.JSON(http.StatusOK, Health{Status: "ready", Database: "up"})
}
