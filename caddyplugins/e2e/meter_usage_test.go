package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/aigw/aigw/internal/audit"
	"github.com/aigw/aigw/internal/catalog"
)

// meterRow is the part of a usage row the meter tests check.
type meterRow struct {
	Model, Provider, ErrorCode, Cost string
	Prompt, Completion, Status       int
	Stream                           bool
	TTFT                             *int
}

// meterCaddyfile is the chain without rate limits and guardrails.
var meterCaddyfile = filepath.Join("testdata", "meter", "Caddyfile")

// startMeterGateway starts the shipped Caddyfile with the spool under the
// test's temporary directory.
func startMeterGateway(t *testing.T, cs configSet, env ...string) *gateway {
	t.Helper()
	return startGateway(t, cs, append([]string{"XDG_DATA_HOME=" + t.TempDir()}, env...)...)
}

// meterWaitRow waits for the usage row of request id to be written.
func meterWaitRow(t *testing.T, g *gateway, id string) meterRow {
	t.Helper()
	var r meterRow
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := g.DB.QueryRow(context.Background(), `SELECT model, provider, error_code, cost_usd::text,
			prompt_tokens, completion_tokens, status, stream, ttft_ms FROM usage_logs WHERE request_id = $1`, id).
			Scan(&r.Model, &r.Provider, &r.ErrorCode, &r.Cost, &r.Prompt, &r.Completion, &r.Status, &r.Stream, &r.TTFT)
		if err == nil {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("no usage row for %s: %v", id, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func meterModel(t *testing.T, id string) *catalog.Model {
	t.Helper()
	cfg := filepath.Join(repoRoot, "configs")
	cat, err := catalog.Load(catalog.Paths{Models: filepath.Join(cfg, "models.yaml"),
		Providers: filepath.Join(cfg, "providers.yaml"), RoutingRules: filepath.Join(cfg, "routing_rules.yaml")}, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	m, err := cat.Resolve(id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMeterRecordsChatWithExactCostAndHeaders(t *testing.T) {
	g := startMeterGateway(t, shippedConfigs)
	resp, hdr, err := chatWithHeaders(t, g.client(), chatParams("gpt-4o", "What is an overdraft?"))
	if err != nil {
		t.Fatal(err)
	}
	id := hdr.Get("X-Aigw-Request-Id")
	if !strings.HasPrefix(id, "req_") {
		t.Fatalf("X-Aigw-Request-Id = %q", id)
	}
	row := meterWaitRow(t, g, id)
	want := meterModel(t, "gpt-4o").Cost(resp.Usage.PromptTokens, 0, resp.Usage.CompletionTokens)
	if row.Model != "gpt-4o" || row.Provider != "openai" || row.Status != 200 || row.Stream ||
		row.Prompt != int(resp.Usage.PromptTokens) || row.Completion != int(resp.Usage.CompletionTokens) || row.TTFT == nil {
		t.Errorf("row = %+v, answer usage %+v", row, resp.Usage)
	}
	if row.Cost != want.String() || hdr.Get("X-Aigw-Cost") != want.String() {
		t.Errorf("cost: row %s, header %s, want %s", row.Cost, hdr.Get("X-Aigw-Cost"), want)
	}
	ovh, err := strconv.ParseFloat(hdr.Get("X-Aigw-Overhead-Ms"), 64)
	if err != nil || ovh < 0 || ovh > 1000 {
		t.Errorf("X-Aigw-Overhead-Ms = %q", hdr.Get("X-Aigw-Overhead-Ms"))
	}
}

func TestMeterRecordsRefusalsButNotBadKeys(t *testing.T) {
	g := startMeterGateway(t, shippedConfigs)
	_, hdr, err := chatWithHeaders(t, g.client(), chatParams("no-such-model", "hi"))
	if err == nil {
		t.Fatal("unknown model accepted")
	}
	row := meterWaitRow(t, g, hdr.Get("X-Aigw-Request-Id"))
	if row.Status != 404 || row.ErrorCode != "model_not_found" || row.Cost != "0.000000000000" || row.TTFT != nil {
		t.Errorf("refusal row = %+v", row)
	}
	bad := g.client(option.WithAPIKey("sk-aigw-not-a-real-key-000000000000000000000"))
	_, hdr, _ = chatWithHeaders(t, bad, chatParams("gpt-4o", "hi"))
	if hdr != nil && hdr.Get("X-Aigw-Request-Id") != "" {
		t.Errorf("a request refused by aigw_auth got a meter request id")
	}
	time.Sleep(300 * time.Millisecond) // a flush interval
	var n int
	if err := g.DB.QueryRow(context.Background(), `SELECT count(*) FROM usage_logs`).Scan(&n); err != nil || n != 1 {
		t.Errorf("usage rows = %d, %v; want only the authenticated refusal", n, err)
	}
}

func TestMeterRecordsStreamUsageWhenItEnds(t *testing.T) {
	g := startMeterGateway(t, shippedConfigs)
	_, chunks, hdr, err := streamChat(t, g.client(), withUsage(chatParams("gpt-4o", "Explain compound interest")))
	if err != nil {
		t.Fatal(err)
	}
	last := chunks[len(chunks)-1]
	row := meterWaitRow(t, g, hdr.Get("X-Aigw-Request-Id"))
	if !row.Stream || row.Status != 200 || row.Prompt != int(last.Usage.PromptTokens) || row.Completion != int(last.Usage.CompletionTokens) {
		t.Errorf("stream row = %+v, reported usage %+v", row, last.Usage)
	}

	// The cost of a stream is known at its end: it comes as a trailer.
	req, _ := http.NewRequest(http.MethodPost, g.URL+"/v1/chat/completions", strings.NewReader(
		`{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("Authorization", "Bearer "+g.Key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	row = meterWaitRow(t, g, resp.Header.Get("X-Aigw-Request-Id"))
	if got := resp.Trailer.Get("X-Aigw-Cost"); got == "" || got != row.Cost {
		t.Errorf("X-Aigw-Cost trailer = %q, row cost %s", got, row.Cost)
	}
}

// TestMeterBillsWhatWasStreamedToADisconnectedClient reads a few chunks of a
// slow stream and hangs up: the provider never reports usage, so the meter
// bills the content it saw go out.
func TestMeterBillsWhatWasStreamedToADisconnectedClient(t *testing.T) {
	g := startGatewayWith(t, meterCaddyfile, faultConfigs, "XDG_DATA_HOME="+t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var resp *http.Response
	params := withUsage(chatParams("fake-slowstream", "Tell me about savings accounts in detail please"))
	params.MaxTokens = openai.Int(40)
	c := g.client()
	stream := c.Chat.Completions.NewStreaming(ctx, params, option.WithResponseInto(&resp))
	var content strings.Builder
	// A guardrail may hold back the first words (its sliding window): read
	// until some content arrived, then a little more.
	for seen := 0; seen < 3 && stream.Next(); {
		if ch := stream.Current(); len(ch.Choices) > 0 && ch.Choices[0].Delta.Content != "" {
			content.WriteString(ch.Choices[0].Delta.Content)
			seen++
		}
	}
	cancel()
	stream.Close()
	if resp == nil || content.Len() == 0 {
		t.Fatalf("no streamed content before hanging up: %v", stream.Err())
	}
	row := meterWaitRow(t, g, resp.Header.Get("X-Aigw-Request-Id"))
	if !row.Stream || row.Completion < (content.Len()+3)/4 || row.Completion >= 40 || row.Prompt == 0 || row.Cost == "0.000000000000" {
		t.Errorf("cut stream row = %+v; client saw %d bytes of content", row, content.Len())
	}
}

func TestMeterMetricsAndAuditTrail(t *testing.T) {
	g := startMeterGateway(t, shippedConfigs)
	var ids []string
	for i := 0; i < 3; i++ {
		_, hdr, err := chatWithHeaders(t, g.client(), chatParams("gpt-4o", fmt.Sprintf("question %d from jane@bank.example", i)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, hdr.Get("X-Aigw-Request-Id"))
	}
	meterWaitRow(t, g, ids[2])
	resp, err := http.Get(g.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	metrics := string(body)
	for _, want := range []string{
		`aigw_meter_requests_total{model="gpt-4o",provider="openai",status="200",tenant="e2e"} `,
		`aigw_meter_prompt_tokens_total{model="gpt-4o",provider="openai",tenant="e2e"}`,
		`aigw_meter_cost_usd_total{model="gpt-4o",provider="openai",tenant="e2e"}`,
		`aigw_meter_request_duration_seconds_bucket{model="gpt-4o",provider="openai",le=`,
		`aigw_meter_time_to_first_token_seconds_count{model="gpt-4o",provider="openai"} `,
		`aigw_meter_buffer_rows `, `aigw_meter_spool_bytes 0`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	var keyID string
	if err := g.DB.QueryRow(context.Background(), `SELECT id::text FROM api_keys LIMIT 1`).Scan(&keyID); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(metrics, keyID) || strings.Contains(metrics, g.Key[:12]) {
		t.Error("/metrics exposes a key id or key")
	}
	meterWaitAudit(t, g, "api.request", 3)
	meterWaitAudit(t, g, "config.reload", 1)
	rep, err := audit.NewStore(g.DB).Verify(context.Background(), audit.VerifyOptions{})
	if err != nil || len(rep.Breaks) != 0 {
		t.Errorf("audit chains: %+v, %v", rep, err)
	}
	var leaked int
	if err := g.DB.QueryRow(context.Background(),
		`SELECT count(*) FROM audit_logs WHERE details::text LIKE '%jane@%' OR details::text LIKE '%`+g.Key[:16]+`%'`).Scan(&leaked); err != nil || leaked != 0 {
		t.Errorf("audit details leak prompt text or keys: %d rows, %v", leaked, err)
	}
}

// meterWaitAudit waits until at least n audit events of action are stored.
func meterWaitAudit(t *testing.T, g *gateway, action string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got int
		if err := g.DB.QueryRow(context.Background(), `SELECT count(*) FROM audit_logs WHERE action = $1`, action).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d %s audit events, want %d", got, action, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
