package sso

import (
	"strings"
)

// Roles, most powerful first.
var roleRank = map[string]int{"admin": 4, "manager": 3, "user": 2, "viewer": 1}

// ValidRole reports whether r is one of aigw's four roles.
func ValidRole(r string) bool { return roleRank[r] > 0 }

// maxGroups bounds how many values of the role claim are read.
const maxGroups = 1000

// ClaimValues returns the strings of the claim named name: a top-level
// claim of that exact name first (Auth0-style URL names hold dots), else a
// dotted path into nested objects ("realm_access.roles" in Keycloak). A
// string is one value, an array gives its strings; anything else none.
func ClaimValues(claims map[string]any, name string) []string {
	if name == "" {
		return nil
	}
	v, ok := claims[name]
	if !ok {
		var cur any = claims
		for _, part := range strings.Split(name, ".") {
			m, isMap := cur.(map[string]any)
			if !isMap {
				return nil
			}
			if cur, ok = m[part]; !ok {
				return nil
			}
		}
		v = cur
	}
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, isStr := e.(string); isStr && len(out) < maxGroups {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// MapRole returns the most powerful role that mapping gives any of groups
// (exact, case-sensitive match: Entra ID sends group ids, Okta names), and
// whether any group matched; with no match, def.
func MapRole(groups []string, mapping map[string]string, def string) (string, bool) {
	best := ""
	for _, g := range groups {
		if r, ok := mapping[g]; ok && roleRank[r] > roleRank[best] {
			best = r
		}
	}
	if best == "" {
		return def, false
	}
	return best, true
}

// EmailDomain returns the lower-cased domain of an e-mail address, or "".
func EmailDomain(email string) string {
	i := strings.LastIndexByte(email, '@')
	if i <= 0 || i == len(email)-1 {
		return ""
	}
	return strings.ToLower(email[i+1:])
}

// DomainAllowed reports whether email's domain is in allowed (lower-case
// domains, exact match); an empty list allows every domain.
func DomainAllowed(email string, allowed []string) bool {
	if len(allowed) == 0 {
		return true
	}
	d := EmailDomain(email)
	for _, a := range allowed {
		if d != "" && d == a {
			return true
		}
	}
	return false
}
