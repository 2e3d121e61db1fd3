package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzSafeReturnToStaysOnSite: whatever return_to is accepted, the
// callback's redirect resolves to this site, as a browser resolves it.
func FuzzSafeReturnToStaysOnSite(f *testing.F) {
	for _, s := range []string{"/", "/keys?tab=mine", "//evil.example", "/\\evil.example", "/%2F%2Fevil.example", "/..//evil.example",
		"https://evil.example", "/\t/evil.example", "/a/../../b", "/?next=//evil.example", "/#//evil", "/\u3000/evil", "/@evil.example"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://aigw.bank.example" + ssoCallback)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := safeReturnTo(s)
		if err != nil {
			return
		}
		req := httptest.NewRequest("GET", base.String(), nil)
		w := httptest.NewRecorder()
		http.Redirect(w, req, got, http.StatusSeeOther)
		loc := w.Header().Get("Location")
		// Browsers drop tabs and newlines and read backslashes as slashes.
		browserish := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(loc)
		u, err := base.Parse(browserish)
		if err != nil || u.Host != base.Host || u.Scheme != base.Scheme || u.User != nil {
			t.Fatalf("return_to %q redirects to %q (%v)", s, loc, u)
		}
	})
}
