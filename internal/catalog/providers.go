package catalog

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Provider types of the adapters aigw ships (internal/providers/...). The
// catalog knows the types its process registered (RegisterType); these names
// are for the settings only some types take (api_version, latency).
const (
	TypeOpenAI           = "openai"
	TypeAzure            = "azure"
	TypeAnthropic        = "anthropic"
	TypeGemini           = "gemini"
	TypeOpenAICompatible = "openai-compatible"
	TypeMock             = "mock"
)

// TypeInfo is what the configuration needs to know of a provider type.
type TypeInfo struct {
	// KeyRequired is the default of key_required: hosted APIs need a key,
	// local servers and the mock usually do not.
	KeyRequired bool
	// VersionPath is the API version path that a base URL naming only a host
	// (as the provider's SDKs take ANTHROPIC_BASE_URL, say) is completed
	// with, such as "/v1"; empty when base URLs are used as they are.
	VersionPath string
}

var (
	typesMu sync.RWMutex
	types   = map[string]TypeInfo{}
)

// RegisterType makes a provider type known to the configuration. The
// provider adapters register theirs (internal/providers.Register), so a
// process knows the types it can call.
func RegisterType(name string, info TypeInfo) {
	typesMu.Lock()
	defer typesMu.Unlock()
	types[name] = info
}

func typeInfo(name string) (TypeInfo, bool) {
	typesMu.RLock()
	defer typesMu.RUnlock()
	t, ok := types[name]
	return t, ok
}

func typeNames() string {
	typesMu.RLock()
	defer typesMu.RUnlock()
	names := make([]string, 0, len(types))
	for n := range types {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// Provider is one upstream API account.
type Provider struct {
	// Name is the key under `providers:` in providers.yaml.
	Name string
	// Type is one of the Type* constants.
	Type string
	// BaseURL is the API root, e.g. https://api.openai.com/v1 (from BaseURLEnv when set in the environment).
	BaseURL string
	// APIKey is the provider credential, from the environment variable APIKeyEnv.
	// Never log it; String omits it.
	APIKey string
	// APIKeyEnv names the environment variable the key came from, for messages.
	APIKeyEnv string
	// KeyRequired reports whether the provider refuses calls without a key.
	KeyRequired bool
	// Timeout bounds a whole upstream call, streams included.
	Timeout time.Duration
	// ConnectTimeout bounds dialing the provider.
	ConnectTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for the first byte of the answer.
	ResponseHeaderTimeout time.Duration
	// APIVersion is the api-version query parameter sent to Azure OpenAI
	// (type azure only; default 2024-10-21).
	APIVersion string
	// MockLatency is the delay of a mock provider before it answers.
	MockLatency time.Duration
	// MockChunkDelay is the delay of a mock provider between streamed chunks.
	MockChunkDelay time.Duration
}

// Available reports whether calls to the provider can succeed, and if not why
// (a message safe to show a client: it names the variable, never a value).
func (p *Provider) Available() (bool, string) {
	if p.KeyRequired && p.APIKey == "" {
		return false, fmt.Sprintf("provider %q is not configured: %s is not set", p.Name, p.APIKeyEnv)
	}
	return true, ""
}

// String describes the provider without its key.
func (p *Provider) String() string {
	return fmt.Sprintf("%s (%s, %s)", p.Name, p.Type, p.BaseURL)
}

type providerFile struct {
	Providers map[string]providerYAML `yaml:"providers"`
}

type providerYAML struct {
	Type                  string `yaml:"type"`
	BaseURL               string `yaml:"base_url"`
	BaseURLEnv            string `yaml:"base_url_env"`
	APIKeyEnv             string `yaml:"api_key_env"`
	KeyRequired           *bool  `yaml:"key_required"`
	Timeout               string `yaml:"timeout"`
	ConnectTimeout        string `yaml:"connect_timeout"`
	ResponseHeaderTimeout string `yaml:"response_header_timeout"`
	Latency               string `yaml:"latency"`
	ChunkDelay            string `yaml:"chunk_delay"`
	APIVersion            string `yaml:"api_version"`
}

// DefaultAzureAPIVersion is the Azure OpenAI api-version used when a provider
// of type azure sets none: the current GA version of the data-plane API.
const DefaultAzureAPIVersion = "2024-10-21"

var apiVersionRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(-preview)?$`)

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

func loadProviders(path string, getenv func(string) string) (map[string]*Provider, error) {
	var f providerFile
	if err := decodeStrict(path, &f); err != nil {
		return nil, err
	}
	if len(f.Providers) == 0 {
		return nil, fmt.Errorf("%s: no providers defined", path)
	}
	names := make([]string, 0, len(f.Providers))
	for n := range f.Providers {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make(map[string]*Provider, len(names))
	for _, name := range names {
		p, err := buildProvider(name, f.Providers[name], getenv)
		if err != nil {
			return nil, fmt.Errorf("%s: provider %q: %w", path, name, err)
		}
		out[name] = p
	}
	return out, nil
}

func buildProvider(name string, y providerYAML, getenv func(string) string) (*Provider, error) {
	if !nameRE.MatchString(name) {
		return nil, fmt.Errorf("name %q: use lower-case letters, digits, '.', '_' or '-'", name)
	}
	info, known := typeInfo(y.Type)
	switch names := typeNames(); {
	case !known && names == "":
		return nil, fmt.Errorf("type %q: this program registered no provider types (import github.com/aigw/aigw/internal/providers/all)", y.Type)
	case !known:
		return nil, fmt.Errorf("type %q: want one of %s", y.Type, names)
	}
	p := &Provider{Name: name, Type: y.Type, BaseURL: y.BaseURL, APIKeyEnv: y.APIKeyEnv}
	if y.BaseURLEnv != "" {
		if v := getenv(y.BaseURLEnv); v != "" {
			p.BaseURL = v
		}
	}
	if y.APIKeyEnv != "" {
		p.APIKey = getenv(y.APIKeyEnv)
	}
	p.KeyRequired = info.KeyRequired
	if y.KeyRequired != nil {
		p.KeyRequired = *y.KeyRequired
	}
	if p.KeyRequired && y.APIKeyEnv == "" {
		return nil, fmt.Errorf("api_key_env is required for type %q", y.Type)
	}
	if y.Type != TypeMock {
		u, err := url.Parse(p.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("base_url %q: want an absolute http(s) URL", p.BaseURL)
		}
		p.BaseURL = withVersionPath(u, info.VersionPath)
	}
	durations := []struct {
		field string
		in    string
		def   time.Duration
		out   *time.Duration
	}{
		{"timeout", y.Timeout, 10 * time.Minute, &p.Timeout},
		{"connect_timeout", y.ConnectTimeout, 5 * time.Second, &p.ConnectTimeout},
		{"response_header_timeout", y.ResponseHeaderTimeout, 2 * time.Minute, &p.ResponseHeaderTimeout},
		{"latency", y.Latency, 0, &p.MockLatency},
		{"chunk_delay", y.ChunkDelay, 0, &p.MockChunkDelay},
	}
	for _, d := range durations {
		v, err := parseDuration(d.in, d.def)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", d.field, d.in, err)
		}
		*d.out = v
	}
	if y.Type != TypeMock && (y.Latency != "" || y.ChunkDelay != "") {
		return nil, fmt.Errorf("latency and chunk_delay apply only to type mock")
	}
	if y.APIVersion != "" && y.Type != TypeAzure {
		return nil, fmt.Errorf("api_version %q applies only to type azure", y.APIVersion)
	}
	if y.Type == TypeAzure {
		p.APIVersion = y.APIVersion
		if p.APIVersion == "" {
			p.APIVersion = DefaultAzureAPIVersion
		}
		if !apiVersionRE.MatchString(p.APIVersion) {
			return nil, fmt.Errorf("api_version %q: want a date such as 2024-10-21, perhaps with -preview", y.APIVersion)
		}
	}
	return p, nil
}

// versionSegment matches an API version path segment: v1, v1beta, v2alpha3.
var versionSegment = regexp.MustCompile(`^v\d+([a-z]+\d*)?$`)

// withVersionPath completes a base URL that names no API version with the
// type's version path, as the provider's own SDKs do with their base URL
// variables: https://api.anthropic.com becomes https://api.anthropic.com/v1.
// A URL whose last path segment is a version is kept as it is.
func withVersionPath(u *url.URL, version string) string {
	base := strings.TrimRight(u.String(), "/")
	if version == "" || u.RawQuery != "" {
		return base
	}
	path := strings.TrimRight(u.Path, "/")
	if versionSegment.MatchString(path[strings.LastIndexByte(path, '/')+1:]) {
		return base
	}
	return base + version
}

func parseDuration(s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("want a duration such as 30s")
	}
	if d < 0 {
		return 0, fmt.Errorf("must not be negative")
	}
	return d, nil
}
