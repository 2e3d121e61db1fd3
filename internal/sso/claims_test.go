package sso

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClaimValues(t *testing.T) {
	claims := map[string]any{
		"groups":                   []any{"a", "b", 3, nil, "c"},
		"role":                     "single",
		"https://bank.example/ids": []any{"x"},
		"realm_access":             map[string]any{"roles": []any{"kc"}},
		"resource_access":          map[string]any{"aigw": map[string]any{"roles": []any{"deep"}}},
		"number":                   5,
	}
	for name, want := range map[string][]string{
		"groups":                     {"a", "b", "c"},
		"role":                       {"single"},
		"https://bank.example/ids":   {"x"},
		"realm_access.roles":         {"kc"},
		"resource_access.aigw.roles": {"deep"},
		"number":                     nil,
		"missing":                    nil,
		"role.sub":                   nil,
		"":                           nil,
	} {
		if got := ClaimValues(claims, name); !cmp.Equal(got, want) {
			t.Errorf("ClaimValues(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestMapRolePicksTheMostPowerfulMappedRole(t *testing.T) {
	mapping := map[string]string{"aigw-viewers": "viewer", "aigw-admins": "admin", "aigw-managers": "manager"}
	for _, tc := range []struct {
		groups  []string
		role    string
		matched bool
	}{
		{[]string{"aigw-viewers", "aigw-managers"}, "manager", true},
		{[]string{"staff", "aigw-admins", "aigw-viewers"}, "admin", true},
		{[]string{"AIGW-ADMINS"}, "user", false}, // case matters
		{nil, "user", false},
	} {
		role, matched := MapRole(tc.groups, mapping, "user")
		if role != tc.role || matched != tc.matched {
			t.Errorf("MapRole(%v) = %s %v", tc.groups, role, matched)
		}
	}
}

func TestDomainAllowed(t *testing.T) {
	allowed := []string{"bank.example", "bank.co.uk"}
	for email, want := range map[string]bool{
		"jane@bank.example":         true,
		"Jane@BANK.example":         true,
		"jane@evil.bank.example":    false,
		"jane@bank.example.evil":    false,
		"jane@bank.co.uk":           true,
		"jane":                      false,
		"@bank.example":             false,
		"jane@":                     false,
		"a@b@bank.example":          true, // the last @ separates the domain
		"jane@bank.example@evil.io": false,
	} {
		if got := DomainAllowed(email, allowed); got != want {
			t.Errorf("DomainAllowed(%q) = %v", email, got)
		}
	}
	if !DomainAllowed("x@anything.example", nil) {
		t.Error("an empty list refuses")
	}
}
