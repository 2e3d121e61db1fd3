package catalog

import (
	"net/url"
	"os"
	"testing"

	"github.com/aigw/aigw/internal/money"
)

func parse(s string) (money.Rate, error) { return money.ParseRate(s) }

// TestMain registers the shipped provider types as their adapters do
// (internal/providers/...), which this package cannot import.
func TestMain(m *testing.M) {
	for name, info := range map[string]TypeInfo{
		TypeOpenAI: {KeyRequired: true}, TypeAzure: {KeyRequired: true},
		TypeAnthropic: {KeyRequired: true, VersionPath: "/v1"}, TypeGemini: {KeyRequired: true, VersionPath: "/v1beta"},
		TypeOpenAICompatible: {}, TypeMock: {},
	} {
		RegisterType(name, info)
	}
	os.Exit(m.Run())
}

func TestBaseURLGetsTheVersionPathTheSDKsAdd(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.anthropic.com":           "https://api.anthropic.com/v1",
		"https://api.anthropic.com/":          "https://api.anthropic.com/v1",
		"https://api.anthropic.com/v1":        "https://api.anthropic.com/v1",
		"http://127.0.0.1:9000/v1/":           "http://127.0.0.1:9000/v1",
		"https://proxy.example/anthropic":     "https://proxy.example/anthropic/v1",
		"https://gateway.example/v1beta":      "https://gateway.example/v1beta",
		"https://gateway.example/api/v2alpha": "https://gateway.example/api/v2alpha",
	} {
		u, _ := url.Parse(in)
		if got := withVersionPath(u, "/v1"); got != want {
			t.Errorf("withVersionPath(%q) = %q, want %q", in, got, want)
		}
	}
	u, _ := url.Parse("http://127.0.0.1:11434")
	if got := withVersionPath(u, ""); got != "http://127.0.0.1:11434" {
		t.Errorf("a type without a version path changed %q", got)
	}
}
