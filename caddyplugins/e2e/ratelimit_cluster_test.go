package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/money"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/testdb"
)

// TestRateLimitHoldsAcrossThreeNodes runs three aigw binaries sharing one
// Redis and one PostgreSQL, hammers all three at once with one key limited to
// N requests per minute, and checks that together they admit N within 5%.
func TestRateLimitHoldsAcrossThreeNodes(t *testing.T) {
	redisURL := testdb.RedisURL(t)
	bin := buildAigw(t)
	g := &gateway{}
	g.DBURL = testdbWithKey(t, g)
	const limit = 300
	key, _ := g.newKey(t, store.NewKey{Name: "cluster", RPM: limit})
	prefix := fmt.Sprintf("aigw-test:cluster:%d:", time.Now().UnixNano())
	cleanRedis(t, redisURL, prefix)

	var urls []string
	for i := 0; i < 3; i++ {
		port := freePort(t)
		cmd := aigwCmd(bin, []string{
			"DATABASE_URL=" + g.DBURL, "REDIS_URL=" + redisURL, "AIGW_PORT=" + strconv.Itoa(port),
			"AIGW_CADDY_ADMIN=off", "AIGW_RL_PREFIX=" + prefix,
		}, "run", "--config", rlCaddyfile)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) //nolint:errcheck
		waitListening(t, port)
		urls = append(urls, "http://127.0.0.1:"+strconv.Itoa(port)+"/v1/chat/completions")
	}
	// Warm each node (tokenizer, connections) with the tenant's unlimited key.
	for _, u := range urls {
		g.URL = strings.TrimSuffix(u, "/v1/chat/completions")
		if resp, body := g.rawCall(t, "/v1/chat/completions", mockChat, map[string]string{"Authorization": "Bearer " + g.Key}); resp.StatusCode != 200 {
			t.Fatalf("warming %s: %d %s", u, resp.StatusCode, body)
		}
	}

	// Minute windows are aligned to the clock. A run that straddles a window
	// boundary sees the sliding-window estimate, which trusts the previous
	// minute's count to have been spread evenly; keep the run inside one.
	if now := time.Now(); now.Second() >= 50 {
		time.Sleep(now.Truncate(time.Minute).Add(time.Minute + 100*time.Millisecond).Sub(now))
	}
	res := hammer(t, urls, key, mockChat, 4*limit)
	got := res.ok
	t.Logf("three nodes admitted %d of %d requests (limit %d, %+.1f%%); per node %v; %d refused",
		got, res.attempts, limit, 100*float64(got-limit)/limit, res.okPerNode, res.limited)
	if got < limit*95/100 || got > limit*105/100 {
		t.Errorf("admitted %d, want %d ± 5%%", got, limit)
	}
	for i, n := range res.answered {
		if n < 100 {
			t.Errorf("node %d answered %d requests: the test did not exercise three limiters", i, n)
		}
	}

	// A monthly budget, reserved before each call and settled after it, is
	// never overspent by concurrent calls on three nodes, and is used up.
	const budget = "0.005"
	bkey, _ := g.newKey(t, store.NewKey{Name: "budget", BudgetUSD: budget})
	cat, err := catalog.Load(catalog.Paths{
		Models: filepath.Join(repoRoot, "configs/models.yaml"), Providers: filepath.Join(repoRoot, "configs/providers.yaml"),
		RoutingRules: filepath.Join(repoRoot, "configs/routing_rules.yaml"),
	}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	model, _ := cat.Resolve("mock-gpt")
	body := `{"model":"mock-gpt","max_tokens":50,"messages":[{"role":"user","content":"What is my balance?"}]}`
	var spent atomic.Int64
	res = hammerWith(t, urls, bkey, body, 2000, func(b []byte) {
		var c struct {
			Usage struct {
				PromptTokens     int64 `json:"prompt_tokens"`
				CompletionTokens int64 `json:"completion_tokens"`
			} `json:"usage"`
		}
		if err := json.Unmarshal(b, &c); err != nil || c.Usage.PromptTokens == 0 {
			t.Errorf("answer without usage: %.200s", b)
		}
		spent.Add(int64(model.Cost(c.Usage.PromptTokens, 0, c.Usage.CompletionTokens)))
	})
	limitPico := int64(5_000_000_000) // $0.005
	estimate := int64(model.Cost(20, 0, 50))
	t.Logf("budget $%s: %d calls admitted on three nodes spent %s USD; %d refused", budget, res.ok,
		money.Pico(spent.Load()).USD(6), res.limited)
	if spent.Load() > limitPico {
		t.Errorf("spent %d picodollars, over the budget of %d", spent.Load(), limitPico)
	}
	if spent.Load() < limitPico-2*estimate {
		t.Errorf("spent %d picodollars, the budget of %d was not used up", spent.Load(), limitPico)
	}
}

type hammerResult struct {
	ok, limited, attempts int64
	okPerNode, answered   []int64
}

func hammer(t *testing.T, urls []string, key, body string, maxAttempts int64) hammerResult {
	return hammerWith(t, urls, key, body, maxAttempts, nil)
}

// hammerWith posts body with key to every node from 8 workers per node, at
// most maxAttempts times in all and for 8 s at most, and counts the answers.
func hammerWith(t *testing.T, urls []string, key, body string, maxAttempts int64, onOK func([]byte)) hammerResult {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	var ok, limited, attempts atomic.Int64
	perNode := make([]atomic.Int64, len(urls))
	answered := make([]atomic.Int64, len(urls))
	var other sync.Map
	deadline := time.Now().Add(8 * time.Second)
	var wg sync.WaitGroup
	for w := 0; w < 8*len(urls); w++ {
		wg.Add(1)
		go func(node int) {
			defer wg.Done()
			for time.Now().Before(deadline) && attempts.Add(1) <= maxAttempts {
				req, _ := http.NewRequest("POST", urls[node], strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+key)
				resp, err := client.Do(req)
				if err != nil {
					other.Store(err.Error(), true)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				answered[node].Add(1)
				switch resp.StatusCode {
				case 200:
					ok.Add(1)
					perNode[node].Add(1)
					if onOK != nil {
						onOK(b)
					}
				case 429:
					limited.Add(1)
				default:
					other.Store(resp.Status, true)
				}
			}
		}(w % len(urls))
	}
	wg.Wait()
	other.Range(func(k, _ any) bool { t.Errorf("unexpected answer: %v", k); return true })
	res := hammerResult{ok: ok.Load(), limited: limited.Load(), attempts: min(attempts.Load(), maxAttempts)}
	for i := range urls {
		res.okPerNode = append(res.okPerNode, perNode[i].Load())
		res.answered = append(res.answered, answered[i].Load())
	}
	return res
}

// cleanRedis removes the test's keys when it ends.
func cleanRedis(t testing.TB, url, prefix string) {
	t.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		c.Close()
	})
}
