// Package apierr is the gateway's one error value for refusals: an Error
// carries what the client is told — written as an OpenAI-style body,
// {"error":{"message","type","code","param"}}, so that the official SDKs raise
// their usual typed exceptions — and, apart from it, the cause worth logging,
// which is never sent. Functions return it as an error; the handler that
// answers finds it with errors.As (From).
package apierr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Error types, as OpenAI names them.
const (
	TypeInvalidRequest = "invalid_request_error"
	TypeAuthentication = "authentication_error"
	TypePermission     = "permission_error"
	TypeNotFound       = "not_found_error"
	TypeRateLimit      = "rate_limit_error"
	TypeServer         = "server_error"
	TypeUnavailable    = "service_unavailable_error"
	TypeTimeout        = "timeout_error"
)

// Error is a refusal with everything the client is told.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Type is the OpenAI error type (one of the Type constants).
	Type string
	// Code is a stable machine-readable reason, such as "model_not_found".
	Code string
	// Param names the offending request field, if any.
	Param string
	// Message is a human-readable explanation safe to show the client.
	Message string
	// RetryAfter, when positive, is sent as the Retry-After header (whole seconds, rounded up).
	RetryAfter time.Duration
	// Cause is what went wrong, for the log; it is never sent to the client.
	Cause error
}

// Error describes e for a log: status, type, code, message and cause.
func (e *Error) Error() string {
	s := fmt.Sprintf("%d %s (%s): %s", e.Status, e.Type, e.Code, e.Message)
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap returns the cause, so that errors.Is and errors.As see through e.
func (e *Error) Unwrap() error { return e.Cause }

// WithCause returns a copy of e with cause attached (e itself may be shared).
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.Cause = cause
	return &c
}

// From returns the Error in err's chain; an error without one is a 500 whose
// cause is err, with a message that says nothing of it.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal.WithCause(err)
}

// Internal is the refusal of a request the gateway failed to serve for a
// reason of its own.
var Internal = New(http.StatusInternalServerError, "internal_error", "The gateway could not serve this request; retry later.")

// New returns an Error with the type that matches status.
func New(status int, code, message string) *Error {
	return &Error{Status: status, Type: typeFor(status), Code: code, Message: message}
}

// Newf is New with a formatted message.
func Newf(status int, code, format string, args ...any) *Error {
	return New(status, code, fmt.Sprintf(format, args...))
}

// WithParam returns e naming the offending request field.
func (e *Error) WithParam(p string) *Error { e.Param = p; return e }

func typeFor(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return TypeAuthentication
	case http.StatusForbidden:
		return TypePermission
	case http.StatusNotFound:
		return TypeNotFound
	case http.StatusTooManyRequests:
		return TypeRateLimit
	case http.StatusServiceUnavailable:
		return TypeUnavailable
	case http.StatusGatewayTimeout:
		return TypeTimeout
	}
	if status >= 500 {
		return TypeServer
	}
	return TypeInvalidRequest
}

type body struct {
	Error bodyError `json:"error"`
}

type bodyError struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// Body returns the JSON error body of e.
func (e *Error) Body() []byte {
	b := body{Error: bodyError{Message: e.Message, Type: e.Type}}
	if e.Param != "" {
		b.Error.Param = &e.Param
	}
	if e.Code != "" {
		b.Error.Code = &e.Code
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(b) //nolint:errcheck // cannot fail: strings only
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// Write sends err as the response: the Error in its chain, or Internal. It
// must be called before anything else has been written to w.
func Write(w http.ResponseWriter, err error) {
	e := From(err)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Del("Content-Length")
	if e.RetryAfter > 0 {
		secs := int64((e.RetryAfter + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	w.WriteHeader(e.Status)
	w.Write(e.Body()) //nolint:errcheck // the client is gone; nothing to do
}
