package sso

// Refusal codes: why a sign-in was refused. The callback sends the browser
// to the dashboard's sign-in page with the code (never a message, so a
// crafted link cannot put words on the page); the dashboard shows Message.
const (
	CodeStateInvalid      = "sso_state_invalid"
	CodeStateUsed         = "sso_state_used"
	CodeStateExpired      = "sso_state_expired"
	CodeBrowserMismatch   = "sso_browser_mismatch"
	CodeIdPError          = "sso_idp_error"
	CodeExchangeFailed    = "sso_exchange_failed"
	CodeTokenInvalid      = "sso_token_invalid"
	CodeWrongIssuer       = "sso_wrong_issuer"
	CodeWrongAudience     = "sso_wrong_audience"
	CodeTokenExpired      = "sso_token_expired"
	CodeNonceMismatch     = "sso_nonce_mismatch"
	CodeEmailMissing      = "sso_email_missing"
	CodeEmailUnverified   = "sso_email_unverified"
	CodeDomainNotAllowed  = "sso_domain_not_allowed"
	CodeUnavailable       = "sso_unavailable"
	CodeUserSuspended     = "sso_user_suspended"
	CodeAccountConflict   = "sso_account_conflict"
	CodeServerError       = "sso_server_error"
	CodeConfigChanged     = "sso_config_changed"
	CodeProviderUnreached = "sso_provider_unreachable"
)

// Messages are what the sign-in page says for each refusal code.
var Messages = map[string]string{
	CodeStateInvalid:      "This sign-in link is not valid. Start the sign-in again.",
	CodeStateUsed:         "This sign-in link was already used. Start the sign-in again.",
	CodeStateExpired:      "The sign-in took longer than 10 minutes. Start it again.",
	CodeBrowserMismatch:   "The sign-in was started in another browser. Start it again here.",
	CodeIdPError:          "The identity provider refused the sign-in.",
	CodeExchangeFailed:    "The identity provider did not accept the sign-in code.",
	CodeTokenInvalid:      "The identity provider's token could not be verified.",
	CodeWrongIssuer:       "The token came from another identity provider than the one configured.",
	CodeWrongAudience:     "The token was issued to another application.",
	CodeTokenExpired:      "The identity provider's token has expired. Start the sign-in again.",
	CodeNonceMismatch:     "The token does not belong to this sign-in.",
	CodeEmailMissing:      "The identity provider did not send a usable e-mail address.",
	CodeEmailUnverified:   "The identity provider has not verified your e-mail address.",
	CodeDomainNotAllowed:  "Your e-mail domain may not sign in to this organisation.",
	CodeUnavailable:       "Single sign-on is not available for this organisation.",
	CodeUserSuspended:     "Your account is suspended.",
	CodeAccountConflict:   "Your account is linked to another identity. Ask an administrator.",
	CodeServerError:       "The sign-in failed on our side. Try again later.",
	CodeConfigChanged:     "The organisation's single sign-on settings changed during the sign-in. Start it again.",
	CodeProviderUnreached: "The identity provider could not be reached. Try again later.",
}

// Refusal is a refused sign-in: Code says why (and is what the client
// sees); Err is the cause, for the logs and the audit trail.
type Refusal struct {
	Code string
	Err  error
}

func (r *Refusal) Error() string {
	if r.Err != nil {
		return r.Code + ": " + r.Err.Error()
	}
	return r.Code
}

// Unwrap returns the cause.
func (r *Refusal) Unwrap() error { return r.Err }

// Message is what the user is told.
func (r *Refusal) Message() string { return Messages[r.Code] }

func refuse(code string, err error) *Refusal { return &Refusal{Code: code, Err: err} }

// Refuse returns a refusal with code and cause.
func Refuse(code string, err error) *Refusal { return refuse(code, err) }
