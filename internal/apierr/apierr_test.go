package apierr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name       string
		err        *Error
		wantBody   map[string]any
		wantHeader map[string]string
	}{
		{
			name: "not found with code",
			err:  New(http.StatusNotFound, "model_not_found", "The model `x` does not exist."),
			wantBody: map[string]any{"error": map[string]any{
				"message": "The model `x` does not exist.", "type": "not_found_error",
				"code": "model_not_found", "param": nil,
			}},
		},
		{
			name: "bad request with param",
			err:  New(http.StatusBadRequest, "invalid_value", "bad").WithParam("messages"),
			wantBody: map[string]any{"error": map[string]any{
				"message": "bad", "type": "invalid_request_error", "code": "invalid_value", "param": "messages",
			}},
		},
		{
			name: "rate limit sets Retry-After rounded up",
			err:  &Error{Status: 429, Type: TypeRateLimit, Code: "rate_limit_exceeded", Message: "slow down", RetryAfter: 1500 * time.Millisecond},
			wantBody: map[string]any{"error": map[string]any{
				"message": "slow down", "type": "rate_limit_error", "code": "rate_limit_exceeded", "param": nil,
			}},
			wantHeader: map[string]string{"Retry-After": "2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Write(rec, tt.err)
			if rec.Code != tt.err.Status {
				t.Errorf("status = %d, want %d", rec.Code, tt.err.Status)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var got map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.wantBody, got); d != "" {
				t.Errorf("body (-want +got):\n%s", d)
			}
			for k, v := range tt.wantHeader {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestTypeForStatus(t *testing.T) {
	for status, want := range map[int]string{
		400: TypeInvalidRequest, 401: TypeAuthentication, 403: TypePermission, 404: TypeNotFound,
		413: TypeInvalidRequest, 429: TypeRateLimit, 500: TypeServer, 502: TypeServer,
		503: TypeUnavailable, 504: TypeTimeout,
	} {
		if got := New(status, "", "").Type; got != want {
			t.Errorf("type for %d = %q, want %q", status, got, want)
		}
	}
}

// TestCauseIsLoggedNeverSent wraps a cause: errors.Is and the log line see
// it, the client's body does not.
func TestCauseIsLoggedNeverSent(t *testing.T) {
	cause := errors.New("dial tcp 10.0.0.7:443: connection refused")
	e := New(http.StatusBadGateway, "upstream_unreachable", "The provider could not be reached.").WithCause(cause)
	wrapped := fmt.Errorf("calling openai: %w", e)
	if !errors.Is(wrapped, cause) || From(wrapped) != e {
		t.Fatal("the cause or the Error is not found through the chain")
	}
	if !strings.Contains(wrapped.Error(), "10.0.0.7") {
		t.Errorf("log text %q lacks the cause", wrapped.Error())
	}
	rec := httptest.NewRecorder()
	Write(rec, wrapped)
	if rec.Code != http.StatusBadGateway || strings.Contains(rec.Body.String(), "10.0.0.7") {
		t.Errorf("client got %d %s", rec.Code, rec.Body.String())
	}
}

// TestPlainErrorIsAnInternalError answers an error that carries no Error
// with a 500 that names nothing of it.
func TestPlainErrorIsAnInternalError(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, errors.New("pool exhausted at /var/run/secret"))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "secret") || !strings.Contains(rec.Body.String(), "internal_error") {
		t.Errorf("client got %d %s", rec.Code, rec.Body.String())
	}
	if Internal.Cause != nil {
		t.Error("From changed the shared Internal error")
	}
}
