// Package server is the admin API's HTTP server. All routes live under
// /api/v1/admin; this first cut serves health and readiness, and the management
// endpoints (tenants, users, keys, usage, billing, audit, guardrails, SSO) join it.
package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/aigw/aigw/internal/store"
)

// Server is the admin API.
type Server struct {
	store  *store.Store
	logger *zap.Logger
	mux    *http.ServeMux
}

// New returns the admin API handler.
func New(s *store.Store, logger *zap.Logger) *Server {
	srv := &Server{store: s, logger: logger, mux: http.NewServeMux()}
	srv.mux.HandleFunc("GET /api/v1/admin/healthz", srv.healthz)
	srv.mux.HandleFunc("GET /api/v1/admin/readyz", srv.readyz)
	return srv
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when the database answers within two seconds.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Pool().Ping(ctx); err != nil {
		s.logger.Warn("readiness check failed", zap.Error(err))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "down"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "database": "up"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck
}
