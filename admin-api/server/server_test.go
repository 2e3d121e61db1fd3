package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/testdb"
)

func TestHealthAndReadiness(t *testing.T) {
	pool := testdb.New(t)
	srv := New(store.New(pool), zap.NewNop())
	for _, path := range []string{"/api/v1/admin/healthz", "/api/v1/admin/readyz"} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s = %d %s", path, rec.Code, rec.Body.String())
		}
	}
	pool.Close()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/admin/readyz", nil).WithContext(context.Background()))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "down") {
		t.Errorf("readyz with the database gone = %d %s", rec.Code, rec.Body.String())
	}
}
