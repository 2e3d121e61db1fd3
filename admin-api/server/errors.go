package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"go.uber.org/zap"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/store"
)

// The admin API answers errors in the gateway's shape,
// {"error":{"message","type","code","param"}}, written by internal/apierr;
// param names the offending field or query parameter. Handlers return
// errors and writeError picks the status:
//   - *apierr.Error as it is (made with the helpers below);
//   - *store.FieldError: 400 naming the field;
//   - store.ErrNotFound: 404 (another tenant's rows are not found either);
//   - *store.ConflictError: 409 with its message;
//   - anything else: 500 with a generic message, the cause logged.

// Error codes of the admin API besides the gateway's.
const (
	CodeInvalidJSON     = "invalid_json"
	CodeInvalidField    = "invalid_field"
	CodeUnknownField    = "unknown_field"
	CodeBodyTooLarge    = "body_too_large"
	CodeInvalidID       = "invalid_id"
	CodeInvalidPath     = "invalid_path"
	CodeUnauthenticated = "unauthenticated"
	CodeForbidden       = "forbidden"
	CodeCSRF            = "csrf_token_invalid"
	CodeNotFound        = "not_found"
	CodeRouteNotFound   = "route_not_found"
	CodeMethod          = "method_not_allowed"
	CodeConflict        = "conflict"
	CodeUnprocessable   = "unprocessable"
	CodeThrottled       = "too_many_attempts"
	CodeRegistration    = "registration_closed"
	CodeInternal        = "internal_error"
)

// badField is a 400 naming the offending field.
func badField(field, format string, args ...any) *apierr.Error {
	return apierr.Newf(http.StatusBadRequest, CodeInvalidField, "%s: %s", field, fmt.Sprintf(format, args...)).WithParam(field)
}

// unprocessable is a 422: well-formed input that cannot be applied.
func unprocessable(field, format string, args ...any) *apierr.Error {
	e := apierr.Newf(http.StatusUnprocessableEntity, CodeUnprocessable, format, args...)
	if field != "" {
		e = e.WithParam(field)
	}
	return e
}

func forbidden(msg string) *apierr.Error {
	return apierr.New(http.StatusForbidden, CodeForbidden, msg)
}

func notFound(what string) *apierr.Error {
	return apierr.Newf(http.StatusNotFound, CodeNotFound, "%s not found", what)
}

// writeError answers err; see the package comment for the mapping.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apierr.Error
	var fe *store.FieldError
	var ce *store.ConflictError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &fe):
		ae = badField(fe.Field, "%s", fe.Reason)
	case errors.Is(err, store.ErrNotFound):
		ae = notFound("resource")
	case errors.As(err, &ce):
		ae = apierr.New(http.StatusConflict, CodeConflict, ce.Message)
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		s.logger.Debug("client went away", zap.String("path", r.URL.Path))
		return
	default:
		s.logger.Error("admin API request failed", zap.String("method", r.Method), zap.String("path", r.URL.Path),
			zap.String("request_id", w.Header().Get("X-Request-Id")), zap.Error(err))
		ae = apierr.New(http.StatusInternalServerError, CodeInternal, "internal error; the request id is in the X-Request-Id header")
	}
	apierr.Write(w, ae)
}
