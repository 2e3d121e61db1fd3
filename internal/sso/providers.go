package sso

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Providers caches discovered providers by issuer, so a sign-in does not
// fetch the discovery document each time. An entry older than the refresh
// interval is discovered again; if that fails, the entry it had is used
// (a provider's brief outage should not stop sign-ins that would work).
type Providers struct {
	client  *http.Client
	policy  FetchPolicy
	refresh time.Duration
	now     func() time.Time

	mu sync.Mutex
	m  map[string]*cachedProvider
}

type cachedProvider struct {
	p  *Provider
	at time.Time
}

// NewProviders returns a cache that discovers through a client of policy
// and refreshes entries after refresh (default 1 hour) on clock now.
func NewProviders(policy FetchPolicy, refresh time.Duration, now func() time.Time) *Providers {
	if refresh <= 0 {
		refresh = time.Hour
	}
	if now == nil {
		now = time.Now
	}
	return &Providers{client: NewHTTPClient(policy), policy: policy, refresh: refresh, now: now, m: map[string]*cachedProvider{}}
}

// Policy returns the fetch policy.
func (ps *Providers) Policy() FetchPolicy { return ps.policy }

// Discover fetches and checks issuer's discovery document (CheckIssuerURL
// first) and caches the provider it describes.
func (ps *Providers) Discover(ctx context.Context, issuer string) (*Provider, error) {
	iss, err := CheckIssuerURL(issuer, ps.policy)
	if err != nil {
		return nil, &DiscoveryError{Reason: err.Error()}
	}
	d, err := Discover(ctx, ps.client, iss, ps.policy)
	if err != nil {
		return nil, err
	}
	p := NewProvider(d, ps.client)
	ps.mu.Lock()
	ps.m[iss] = &cachedProvider{p: p, at: ps.now()}
	ps.mu.Unlock()
	return p, nil
}

// Get returns issuer's provider from the cache, discovering it when it is
// missing or due for a refresh.
func (ps *Providers) Get(ctx context.Context, issuer string) (*Provider, error) {
	ps.mu.Lock()
	c := ps.m[issuer]
	fresh := c != nil && ps.now().Sub(c.at) < ps.refresh
	ps.mu.Unlock()
	if fresh {
		return c.p, nil
	}
	p, err := ps.Discover(ctx, issuer)
	if err != nil && c != nil {
		// Try again in a minute, not at every sign-in.
		ps.mu.Lock()
		c.at = ps.now().Add(time.Minute - ps.refresh)
		ps.mu.Unlock()
		return c.p, nil
	}
	return p, err
}
