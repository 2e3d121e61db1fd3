package guard

import (
	"fmt"
	"strings"
	"testing"
)

// benchParagraphs are realistic prompt fragments: customer-service prose,
// an analyst request, a JSON tool result and a log excerpt, with a little PII.
var benchParagraphs = []string{
	"Hi, I was charged twice for my electricity bill last week and the second debit still shows as pending in the app. " +
		"Could you check whether the duplicate will be reversed automatically, and how long that usually takes? " +
		"I also want to raise my daily UPI limit before I travel next month. ",
	"Please act as my analyst and summarise the attached 10-K: revenue grew 12.4% year over year to $4.2 billion, " +
		"operating margin contracted by 80 basis points, and management guided FY2025 capex to between $600 and $650 million. " +
		"Highlight liquidity risks, covenant headroom and anything unusual in the notes to the accounts. ",
	`{"customer_id":"CUST-0042917","name":"Priya Sharma","email":"priya.sharma@example.in","segment":"retail",` +
		`"last_login":"2024-11-03T09:41:22Z","products":["savings","credit_card"],"kyc_status":"verified","risk_score":0.12} `,
	"2024-11-03 09:41:22.318 INFO  auth-service request_id=7f3a9c2e-1b4d-4e8f-9a6b-2c5d8e1f0a3b user=cust_42917 " +
		"action=login status=success latency_ms=184 region=ap-south-1 version=3.14.2 ",
	"What is the difference between a recurring deposit and a fixed deposit, and how is interest on each taxed? " +
		"My branch said the current FD rate for senior citizens is 7.25% for 444 days; is that still valid? ",
	"Order #A-77120 shipped on 12/10/2024 via BlueDart, AWB 50331872, expected delivery 15/10/2024. " +
		"You can reach our support team on the helpline or write to us any time; reference ticket 88213. ",
}

func benchText(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		b.WriteString(benchParagraphs[i%len(benchParagraphs)])
	}
	return b.String()[:size]
}

func benchPolicy(b *testing.B) *Policy {
	ps, err := LoadPolicies("../../configs/guardrails.yaml")
	if err != nil {
		b.Fatal(err)
	}
	return ps["bfsi-strict"]
}

func BenchmarkEngine(b *testing.B) {
	e, err := NewEngine(Options{Terms: []string{"Project Nightjar", "Orion Capital"}})
	if err != nil {
		b.Fatal(err)
	}
	p := benchPolicy(b)
	for _, size := range []int{1 << 10, 16 << 10, 128 << 10} {
		text := benchText(size)
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				e.Apply(text, p, Input)
			}
		})
	}
}

func BenchmarkStreamScanner(b *testing.B) {
	e, err := NewEngine(Options{})
	if err != nil {
		b.Fatal(err)
	}
	p := benchPolicy(b)
	text := benchText(64 << 10)
	const chunk = 48 // a typical SSE delta
	b.ReportAllocs()
	b.SetBytes(chunk)
	s := NewStreamScanner(e, p, DefaultWindow)
	off := 0
	for b.Loop() {
		if off+chunk > len(text) {
			s.Flush()
			s = NewStreamScanner(e, p, DefaultWindow)
			off = 0
		}
		s.Write(text[off : off+chunk])
		off += chunk
	}
}
