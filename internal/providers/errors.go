package providers

import (
	"net/http"
	"strings"

	"github.com/aigw/aigw/internal/apierr"
)

// Error codes the adapters give normalised provider errors.
const (
	CodeContextLength = "context_length_exceeded"
	CodeOverloaded    = "upstream_overloaded"
	CodeRateLimited   = "upstream_rate_limited"
	CodeAuthFailed    = "upstream_auth_failed"
	CodeUpstream      = "upstream_error"
	CodeTimeout       = "upstream_timeout"
	CodeInvalid       = "upstream_invalid_request"
	CodeUnsupported   = "unsupported_parameter"
	CodeStreamCut     = "upstream_stream_interrupted"
)

// Scrub removes the provider key from a message a provider sent, in case the
// provider echoed it.
func Scrub(msg, key string) string {
	if key != "" && strings.Contains(msg, key) {
		msg = strings.ReplaceAll(msg, key, "[REDACTED]")
	}
	return msg
}

// ContextExceeded is the OpenAI error for a prompt that does not fit the
// model's context window, keeping the provider's message.
func ContextExceeded(msg string) *apierr.Error {
	if msg == "" {
		msg = "This model's maximum context length was exceeded."
	}
	return apierr.New(http.StatusBadRequest, CodeContextLength, msg).WithParam("messages")
}

// BadJSON is the 400 for a body an adapter could not decode, with the
// decoder's error as its cause.
func BadJSON(cause error) error {
	return apierr.New(http.StatusBadRequest, "invalid_json", "We could not parse the JSON body of your request.").WithCause(cause)
}

// Unsupported is the 400 for a parameter the provider cannot honour.
func Unsupported(param, provider string) *apierr.Error {
	return apierr.Newf(http.StatusBadRequest, CodeUnsupported,
		"The parameter `%s` is not supported by %s models; remove it, or ask the gateway's operator to set drop_params for this model.", param, provider).WithParam(param)
}

// Invalid is the 400 for a request the adapter cannot translate.
func Invalid(param, msg string) *apierr.Error {
	return apierr.New(http.StatusBadRequest, "invalid_value", msg).WithParam(param)
}

// AuthFailed is the gateway's own credentials problem: 502 for the client.
func AuthFailed(provider string) *apierr.Error {
	return apierr.Newf(http.StatusBadGateway, CodeAuthFailed, "The provider %q refused the gateway's credentials.", provider)
}

// ServerError is the 502 for a provider's failure, keeping its message.
func ServerError(provider string, status int, msg string) *apierr.Error {
	if msg == "" {
		msg = http.StatusText(status)
	}
	return apierr.Newf(http.StatusBadGateway, CodeUpstream, "The provider %q failed with status %d: %s", provider, status, msg)
}

// Overloaded is the 503 for a provider that says it is overloaded.
func Overloaded(provider, msg string) *apierr.Error {
	if msg == "" {
		msg = "The provider is overloaded."
	}
	return apierr.Newf(http.StatusServiceUnavailable, CodeOverloaded, "The provider %q is overloaded: %s", provider, msg)
}

// RateLimited is the 429 for a provider's rate limit, keeping its message.
func RateLimited(msg string) *apierr.Error {
	if msg == "" {
		msg = "The provider is rate limiting requests."
	}
	return apierr.New(http.StatusTooManyRequests, CodeRateLimited, msg)
}

// LooksLikeContextOverflow reports whether a provider's 400 message says the
// prompt is too long, as Anthropic ("prompt is too long") and Gemini ("input
// token count ... exceeds the maximum") word it.
func LooksLikeContextOverflow(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "prompt is too long") ||
		strings.Contains(m, "context length") || strings.Contains(m, "context window") ||
		(strings.Contains(m, "token") && strings.Contains(m, "exceeds the maximum"))
}
