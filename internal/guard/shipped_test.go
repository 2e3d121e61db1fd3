package guard_test

import (
	"testing"

	"github.com/aigw/aigw/internal/guard"
)

// shippedEngine is an engine with the default options, as the gateway builds
// one for the shipped templates.
func shippedEngine(t testing.TB) *guard.Engine {
	t.Helper()
	e, err := guard.NewEngine(guard.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// shippedPolicies are the templates of configs/guardrails.yaml.
func shippedPolicies(t testing.TB) map[string]*guard.Policy {
	t.Helper()
	ps, err := guard.LoadPolicies("../../configs/guardrails.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return ps
}
