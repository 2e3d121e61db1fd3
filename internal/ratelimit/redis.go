package ratelimit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is the backend for many gateway nodes sharing one Redis. A Reserve is
// one EVALSHA of a Lua script that checks and counts every scope atomically; a
// Settle is one more. Windows are taken from the gateway's clock, so nodes
// need synchronised clocks (NTP): skew only matters at window boundaries.
// Keys expire by themselves: minute counters after two windows, concurrency
// slots after their lease, budgets some days after their month.
type Redis struct {
	client redis.UniversalClient
	prefix string
	now    func() time.Time
}

// NewRedis returns a Redis backend whose keys start with prefix.
func NewRedis(client redis.UniversalClient, prefix string, now func() time.Time) *Redis {
	if now == nil {
		now = time.Now
	}
	return &Redis{client: client, prefix: prefix, now: now}
}

// keysPerScope is the number of KEYS the reserve script takes per scope:
// requests now and before, tokens now and before, concurrency, budget.
const keysPerScope = 6

// reserveScript returns {allowed, reason, scope, counts...}: reason 1..4 is
// requests, tokens, concurrency, budget; counts are four per scope (requests
// previous and current, tokens previous and current) after the reservation.
var reserveScript = redis.NewScript(`
local el, tok, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local id, now, lease, bttl, wttl = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local n = #KEYS / 6
local lim, cnt = {}, {}
local reason, who = 0, 0
for i = 0, n - 1 do
  local k, a = i * 6, 8 + i * 4
  local l = {tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])}
  lim[i] = l
  local c = {0, 0, 0, 0}
  if l[1] > 0 then
    c[1] = tonumber(redis.call('GET', KEYS[k + 2]) or '0')
    c[2] = tonumber(redis.call('GET', KEYS[k + 1]) or '0')
  end
  if l[2] > 0 then
    c[3] = tonumber(redis.call('GET', KEYS[k + 4]) or '0')
    c[4] = tonumber(redis.call('GET', KEYS[k + 3]) or '0')
  end
  cnt[i] = c
  if reason == 0 then
    if l[1] > 0 and c[1] * (1 - el) + c[2] + 1 > l[1] then reason = 1
    elseif l[2] > 0 and c[3] * (1 - el) + c[4] + tok > l[2] then reason = 2
    elseif l[3] > 0 then
      redis.call('ZREMRANGEBYSCORE', KEYS[k + 5], '-inf', now)
      if redis.call('ZCARD', KEYS[k + 5]) + 1 > l[3] then reason = 3 end
    end
    if reason == 0 and l[4] > 0 and tonumber(redis.call('GET', KEYS[k + 6]) or '0') + cost > l[4] then reason = 4 end
    if reason ~= 0 then who = i end
  end
end
local out = {reason == 0 and 1 or 0, reason, who}
for i = 0, n - 1 do
  local k, l, c = i * 6, lim[i], cnt[i]
  if reason == 0 then
    if l[1] > 0 then c[2] = redis.call('INCR', KEYS[k + 1]); redis.call('PEXPIRE', KEYS[k + 1], wttl) end
    if l[2] > 0 then c[4] = redis.call('INCRBY', KEYS[k + 3], tok); redis.call('PEXPIRE', KEYS[k + 3], wttl) end
    if l[3] > 0 then redis.call('ZADD', KEYS[k + 5], now + lease, id); redis.call('PEXPIRE', KEYS[k + 5], lease) end
    if l[4] > 0 then redis.call('INCRBY', KEYS[k + 6], cost); redis.call('EXPIRE', KEYS[k + 6], bttl) end
  end
  for j = 1, 4 do out[#out + 1] = c[j] end
end
return out
`)

// settleScript adds ARGV[1] tokens and ARGV[2] cost to existing counters and
// frees the concurrency slot ARGV[3]; KEYS are three per scope: the tokens
// counter of the reservation's window, the concurrency set, the budget.
var settleScript = redis.NewScript(`
local dt, dc, id = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
for k = 1, #KEYS, 3 do
  if dt ~= 0 and redis.call('EXISTS', KEYS[k]) == 1 then
    if redis.call('INCRBY', KEYS[k], dt) < 0 then redis.call('SET', KEYS[k], 0, 'KEEPTTL') end
  end
  redis.call('ZREM', KEYS[k + 1], id)
  if dc ~= 0 and redis.call('EXISTS', KEYS[k + 2]) == 1 then
    if redis.call('INCRBY', KEYS[k + 2], dc) < 0 then redis.call('SET', KEYS[k + 2], 0, 'KEEPTTL') end
  end
end
return 1
`)

// seedScript raises KEYS[1] to at least ARGV[1], with a TTL of ARGV[2] seconds.
var seedScript = redis.NewScript(`
if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
return 1
`)

// SeedBudget implements Backend.
func (b *Redis) SeedBudget(ctx context.Context, scope, month string, spent int64) error {
	if err := seedScript.Run(ctx, b.client, []string{b.key(scope, "b", month)}, spent, int64(budgetTTL/time.Second)).Err(); err != nil {
		return fmt.Errorf("seeding budget in redis: %w", err)
	}
	return nil
}

func (b *Redis) key(scope, kind string, part any) string {
	return fmt.Sprintf("%s%s:%s:%v", b.prefix, scope, kind, part)
}

// budgetTTL keeps a month's spend a while after the month, for inspection.
const budgetTTL = 40 * 24 * time.Hour

// Reserve implements Backend.
func (b *Redis) Reserve(ctx context.Context, req *Request) (Decision, error) {
	now := b.now()
	win, elapsed := windowIndex(now)
	keys := make([]string, 0, len(req.Scopes)*keysPerScope)
	args := make([]any, 0, 8+len(req.Scopes)*4)
	args = append(args, strconv.FormatFloat(elapsed, 'f', 6, 64), req.Tokens, req.Cost, req.ID,
		now.UnixMilli(), lease(req).Milliseconds(), int64(budgetTTL/time.Second), (2*Window + 5*time.Second).Milliseconds())
	for _, sc := range req.Scopes {
		keys = append(keys, b.key(sc.Name, "r", win), b.key(sc.Name, "r", win-1),
			b.key(sc.Name, "t", win), b.key(sc.Name, "t", win-1), b.key(sc.Name, "c", "set"), b.key(sc.Name, "b", req.Month))
		args = append(args, sc.RPM, sc.TPM, sc.Concurrency, sc.Budget)
	}
	res, err := reserveScript.Run(ctx, b.client, keys, args...).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("rate limit reservation in redis: %w", err)
	}
	if len(res) != 3+4*len(req.Scopes) {
		return Decision{}, fmt.Errorf("rate limit reservation in redis: unexpected reply of %d values", len(res))
	}
	d := Decision{Allowed: res[0] == 1}
	for i, sc := range req.Scopes {
		c := res[3+4*i : 7+4*i]
		if sc.RPM > 0 {
			d.Requests = tighter(d.Requests, headroom(c[0], c[1], sc.RPM, elapsed))
		}
		if sc.TPM > 0 {
			d.Tokens = tighter(d.Tokens, headroom(c[2], c[3], sc.TPM, elapsed))
		}
	}
	if !d.Allowed {
		sc := req.Scopes[res[2]]
		c := res[3+4*res[2] : 7+4*res[2]]
		d.Scope = sc.Name
		switch res[1] {
		case 1:
			d.Reason, d.RetryAfter = ReasonRequests, retryAfter(c[0], c[1], 1, sc.RPM, elapsed)
		case 2:
			d.Reason, d.RetryAfter = ReasonTokens, retryAfter(c[2], c[3], req.Tokens, sc.TPM, elapsed)
		case 3:
			d.Reason, d.RetryAfter = ReasonConcurrency, time.Second
		default:
			d.Reason, d.RetryAfter = ReasonBudget, untilMonthEnd(req.MonthEnd, now)
		}
		return d, nil
	}
	d.Slot = Slot{ID: req.ID, Scopes: req.Scopes, Window: win, Month: req.Month, Tokens: req.Tokens, Cost: req.Cost}
	return d, nil
}

func lease(req *Request) time.Duration {
	if req.Lease > 0 {
		return req.Lease
	}
	return 10 * time.Minute
}

// Settle implements Backend.
func (b *Redis) Settle(ctx context.Context, s Slot, tokens, cost int64) error {
	keys := make([]string, 0, 3*len(s.Scopes))
	for _, sc := range s.Scopes {
		keys = append(keys, b.key(sc.Name, "t", s.Window), b.key(sc.Name, "c", "set"), b.key(sc.Name, "b", s.Month))
	}
	if err := settleScript.Run(ctx, b.client, keys, tokens-s.Tokens, cost-s.Cost, s.ID).Err(); err != nil {
		return fmt.Errorf("settling rate limit reservation in redis: %w", err)
	}
	return nil
}

// Interface guards.
var (
	_ Backend = (*Redis)(nil)
	_ Backend = (*Memory)(nil)
)
