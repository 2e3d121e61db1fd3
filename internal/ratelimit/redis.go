package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is the backend for many gateway nodes sharing one Redis. A Reserve is
// one EVALSHA of a Lua script that checks and counts every scope atomically; a
// Settle is one more. Minute windows follow Redis's own clock (TIME), so every
// node counts on one timeline whatever their clocks say. Keys expire by
// themselves: minute windows a minute after their last request, concurrency
// slots after their lease, budgets some days after their month.
//
// A scope's minute window is one hash: "o" the oldest bucket counted, "n"
// the newest, "R" and "T" the requests and tokens counted, and "r<bucket>"
// and "t<bucket>" what each bucket admitted (buckets that admitted nothing
// have no fields).
type Redis struct {
	client redis.UniversalClient
	prefix string
	now    func() time.Time
}

// NewRedis returns a Redis backend whose keys start with prefix. now is the
// clock of minute windows for tests; nil uses Redis's clock.
func NewRedis(client redis.UniversalClient, prefix string, now func() time.Time) *Redis {
	return &Redis{client: client, prefix: prefix, now: now}
}

// keysPerScope is the number of KEYS the reserve script takes per scope:
// the minute window, the concurrency set and the budget.
const keysPerScope = 3

// windowScript holds the window functions that reserve and settle share.
// roll forgets the buckets of key that left the window starting at lo and
// returns the window's requests, tokens and newest bucket, and whether the
// window is new (holds nothing).
const windowScript = `
local B, W = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local k = math.floor(now / W)
local lo = k - B
local function roll(key)
  local v = redis.call('HMGET', key, 'o', 'R', 'T', 'n')
  local o, r, t, n = tonumber(v[1]), tonumber(v[2]) or 0, tonumber(v[3]) or 0, tonumber(v[4]) or lo
  if o == nil then return 0, 0, lo, true end
  if o >= lo then return r, t, n, false end
  if n < lo then
    redis.call('DEL', key)
    return 0, 0, lo, true
  end
  for i = o, lo - 1 do
    local f = redis.call('HMGET', key, 'r' .. i, 't' .. i)
    if f[1] or f[2] then
      r, t = r - (tonumber(f[1]) or 0), t - (tonumber(f[2]) or 0)
      redis.call('HDEL', key, 'r' .. i, 't' .. i)
    end
  end
  redis.call('HSET', key, 'o', lo, 'R', r, 'T', t)
  return r, t, n, false
end
`

// reserveScript returns {allowed, reason, scope, retry ms, now ms, bucket,
// counts...}: reason 1..4 is requests, tokens, concurrency, budget; counts are
// three per scope (requests, tokens, newest bucket) after the reservation.
var reserveScript = redis.NewScript(windowScript + `
local tok, cost, id, lease, bttl = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8])
local n = #KEYS / 3
local lim, cnt = {}, {}
local reason, who, retry = 0, 0, 0
local function retryAfter(key, kind, sum, need, limit, newest)
  if need > limit then return B * W end
  for i = lo, newest do
    sum = sum - (tonumber(redis.call('HGET', key, kind .. i) or '0'))
    if sum + need <= limit then return (i + B + 1) * W - now end
  end
  return 1
end
for i = 0, n - 1 do
  local kw, a = i * 3, 8 + i * 4
  local l = {tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])}
  lim[i] = l
  local c = {0, 0, lo, false}
  if l[1] > 0 or l[2] > 0 then c[1], c[2], c[3], c[4] = roll(KEYS[kw + 1]) end
  cnt[i] = c
  if reason == 0 then
    if l[1] > 0 and c[1] + 1 > l[1] then
      reason, retry = 1, retryAfter(KEYS[kw + 1], 'r', c[1], 1, l[1], c[3])
    elseif l[2] > 0 and c[2] + tok > l[2] then
      reason, retry = 2, retryAfter(KEYS[kw + 1], 't', c[2], tok, l[2], c[3])
    elseif l[3] > 0 then
      redis.call('ZREMRANGEBYSCORE', KEYS[kw + 2], '-inf', now)
      if redis.call('ZCARD', KEYS[kw + 2]) + 1 > l[3] then reason = 3 end
    end
    if reason == 0 and l[4] > 0 and tonumber(redis.call('GET', KEYS[kw + 3]) or '0') + cost > l[4] then reason = 4 end
    if reason ~= 0 then who = i end
  end
end
local out = {reason == 0 and 1 or 0, reason, who, retry, now, k}
for i = 0, n - 1 do
  local kw, l, c = i * 3, lim[i], cnt[i]
  if reason == 0 then
    if l[1] > 0 or l[2] > 0 then
      local key, b = KEYS[kw + 1], math.max(k, c[3])
      redis.call('HINCRBY', key, 'r' .. b, 1)
      c[1] = redis.call('HINCRBY', key, 'R', 1)
      if tok ~= 0 then
        redis.call('HINCRBY', key, 't' .. b, tok)
        c[2] = redis.call('HINCRBY', key, 'T', tok)
      end
      if c[4] then redis.call('HSET', key, 'n', b, 'o', lo)
      elseif b ~= c[3] then redis.call('HSET', key, 'n', b) end
      c[3] = b
      redis.call('PEXPIRE', key, (B + 2) * W)
    end
    if l[3] > 0 then redis.call('ZADD', KEYS[kw + 2], now + lease, id); redis.call('PEXPIRE', KEYS[kw + 2], lease) end
    if l[4] > 0 then redis.call('INCRBY', KEYS[kw + 3], cost); redis.call('EXPIRE', KEYS[kw + 3], bttl) end
  end
  for j = 1, 3 do out[#out + 1] = c[j] end
end
return out
`)

// settleScript adds ARGV[2] tokens to bucket ARGV[1] of each scope's window
// (if that bucket is still counted), ARGV[3] to each budget, and frees the
// concurrency slot ARGV[4]; KEYS are three per scope: the window, the
// concurrency set, the budget. Counts never go below zero.
var settleScript = redis.NewScript(`
local f, dt, dc, id = 't' .. ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
for i = 1, #KEYS, 3 do
  if dt ~= 0 then
    local have = tonumber(redis.call('HGET', KEYS[i], f) or 'nil')
    if have ~= nil then
      local d = math.max(dt, -have)
      redis.call('HINCRBY', KEYS[i], f, d)
      redis.call('HINCRBY', KEYS[i], 'T', d)
    end
  end
  redis.call('ZREM', KEYS[i + 1], id)
  if dc ~= 0 and redis.call('EXISTS', KEYS[i + 2]) == 1 then
    if redis.call('INCRBY', KEYS[i + 2], dc) < 0 then redis.call('SET', KEYS[i + 2], 0, 'KEEPTTL') end
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

// nowArg is the clock argument of the scripts: the injected clock in Unix
// milliseconds, or 0 for Redis's own.
func (b *Redis) nowArg() int64 {
	if b.now == nil {
		return 0
	}
	return b.now().UnixMilli()
}

// Reserve implements Backend.
func (b *Redis) Reserve(ctx context.Context, req *Request) (Decision, error) {
	keys := make([]string, 0, len(req.Scopes)*keysPerScope)
	args := make([]any, 0, 8+len(req.Scopes)*4)
	args = append(args, Buckets, bucketMs, b.nowArg(), req.Tokens, req.Cost, req.ID,
		lease(req).Milliseconds(), int64(budgetTTL/time.Second))
	for _, sc := range req.Scopes {
		keys = append(keys, b.key(sc.Name, "w", "m"), b.key(sc.Name, "c", "set"), b.key(sc.Name, "b", req.Month))
		args = append(args, sc.RPM, sc.TPM, sc.Concurrency, sc.Budget)
	}
	res, err := reserveScript.Run(ctx, b.client, keys, args...).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("rate limit reservation in redis: %w", err)
	}
	if len(res) != 6+3*len(req.Scopes) {
		return Decision{}, fmt.Errorf("rate limit reservation in redis: unexpected reply of %d values", len(res))
	}
	return decide(req, res), nil
}

// decide reads the reserve script's reply.
func decide(req *Request, res []int64) Decision {
	nowMs, k := res[4], res[5]
	d := Decision{Allowed: res[0] == 1}
	for i, sc := range req.Scopes {
		c := res[6+3*i : 9+3*i]
		if sc.RPM > 0 {
			d.Requests = tighter(d.Requests, headroom(c[0], sc.RPM, c[2], nowMs))
		}
		if sc.TPM > 0 {
			d.Tokens = tighter(d.Tokens, headroom(c[1], sc.TPM, c[2], nowMs))
		}
		if d.Allowed && (sc.RPM > 0 || sc.TPM > 0) {
			k = c[2] // the bucket counted in (later than now's if Redis's clock stepped back)
		}
	}
	if d.Allowed {
		d.Slot = Slot{ID: req.ID, Scopes: req.Scopes, Bucket: k, Month: req.Month, Tokens: req.Tokens, Cost: req.Cost}
		return d
	}
	sc := req.Scopes[res[2]]
	d.Scope = sc.Name
	retry := max(time.Duration(res[3])*time.Millisecond, time.Millisecond)
	switch res[1] {
	case 1:
		d.Reason, d.RetryAfter = ReasonRequests, retry
	case 2:
		d.Reason, d.RetryAfter, d.TooLarge = ReasonTokens, retry, req.Tokens > sc.TPM
	case 3:
		d.Reason, d.RetryAfter = ReasonConcurrency, time.Second
	default:
		d.Reason, d.RetryAfter = ReasonBudget, untilMonthEnd(req.MonthEnd, time.UnixMilli(nowMs))
	}
	return d
}

func lease(req *Request) time.Duration {
	if req.Lease > 0 {
		return req.Lease
	}
	return 10 * time.Minute
}

// Settle implements Backend.
func (b *Redis) Settle(ctx context.Context, s Slot, tokens, cost int64) error {
	keys := make([]string, 0, keysPerScope*len(s.Scopes))
	for _, sc := range s.Scopes {
		keys = append(keys, b.key(sc.Name, "w", "m"), b.key(sc.Name, "c", "set"), b.key(sc.Name, "b", s.Month))
	}
	err := settleScript.Run(ctx, b.client, keys, s.Bucket, tokens-s.Tokens, cost-s.Cost, s.ID).Err()
	if err != nil {
		return fmt.Errorf("settling rate limit reservation in redis: %w", err)
	}
	return nil
}

// Interface guards.
var (
	_ Backend = (*Redis)(nil)
	_ Backend = (*Memory)(nil)
)
