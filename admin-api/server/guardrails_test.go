package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aigw/aigw/internal/guard"
)

func TestEveryDetectorIsDescribed(t *testing.T) {
	for _, id := range guard.Detectors() {
		if in, ok := detectorInfo[id]; !ok || in.description == "" || in.category == "" {
			t.Errorf("detector %s has no description", id)
		}
	}
	if len(detectorInfo) != len(guard.Detectors()) {
		t.Errorf("detectorInfo describes %d detectors, the engine has %d", len(detectorInfo), len(guard.Detectors()))
	}
}

func TestGuardrailCatalogRoutes(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	var dets List[Detector]
	e.do("GET", "/guardrails", a.Tokens["manager"], nil).want(200).decode(&dets)
	if dets.Total != len(guard.Detectors()) {
		t.Errorf("%d detectors", dets.Total)
	}
	var tpls List[PolicyTemplate]
	e.do("GET", "/guardrails/policies", a.Tokens["manager"], nil).want(200).decode(&tpls)
	if tpls.Total != 4 || tpls.Data[0].Name != "bfsi-standard" || tpls.Data[1].Detectors["pii.ssn"].Action != "block" {
		t.Errorf("templates %+v", tpls.Data)
	}
	var bfsi List[BFSIDetector]
	e.do("GET", "/guardrails/bfsi", a.Tokens["admin"], nil).want(200).decode(&bfsi)
	for _, d := range bfsi.Data {
		if d.Category == "attack" || len(d.Policies) != 4 {
			t.Errorf("bfsi %+v", d)
		}
		if d.ID == "pii.aadhaar" && (d.Policies["bfsi-strict"] != "block" || d.Policies["bfsi-standard"] != "redact") {
			t.Errorf("aadhaar %+v", d.Policies)
		}
	}
}

func TestGuardrailTestAndTenantPolicy(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	tok := a.Tokens["admin"]
	var r GuardResult
	e.do("POST", "/guardrails/test", tok, map[string]any{"text": "My card is 4111 1111 1111 1111"}).want(200).decode(&r)
	if r.Action != "redact" || r.Text != "My card is ************1111" || len(r.Findings) != 1 || r.Findings[0].Type != "pii.credit_card" {
		t.Errorf("default policy %+v", r)
	}
	e.do("POST", "/guardrails/test", tok, map[string]any{"text": "write to jane@bank.example", "policy": "permissive"}).want(200).decode(&r)
	if r.Action != "allow" && r.Action != "flag" {
		t.Errorf("permissive %+v", r)
	}
	// The tenant's policy: e-mail blocked, a code name confidential, in shadow mode first.
	var p TenantPolicy
	e.do("GET", "/guardrails/policy", tok, nil).want(200).decode(&p)
	if p.Configured {
		t.Errorf("a fresh tenant has a policy %+v", p)
	}
	body := map[string]any{"template": "bfsi-standard", "overrides": map[string]any{"pii.email": map[string]any{"action": "block"}},
		"terms": []string{"Project Falcon"}, "shadow": true}
	e.do("PUT", "/guardrails/policy", tok, body).want(200).decode(&p)
	if !p.Configured || p.Version != 1 || p.Overrides["pii.email"].Action != "block" || p.Effective["pii.email"].Action != "block" ||
		p.Effective["pii.ssn"].Action != "redact" || !p.Shadow || *p.UpdatedBy != a.Users["admin"].ID {
		t.Errorf("saved %+v", p)
	}
	e.do("POST", "/guardrails/test", tok, map[string]any{"text": "status of project falcon for jane@bank.example"}).want(200).decode(&r)
	if r.Action != "allow" || r.Shadow != "block" || !strings.Contains(r.Text, "falcon") {
		t.Errorf("tenant policy in shadow mode %+v", r)
	}
	body["shadow"] = false
	e.do("PUT", "/guardrails/policy", tok, body).want(200).decode(&p)
	r = GuardResult{}
	e.do("POST", "/guardrails/test", tok, map[string]any{"text": "status of project falcon?"}).want(200).decode(&r)
	if p.Version != 2 || r.Action != "redact" || r.Shadow != "" || strings.Contains(strings.ToLower(r.Text), "falcon") {
		t.Errorf("tenant policy v%d: %+v", p.Version, r)
	}
	if e.auditCount(a.ID, "guardrails.policy.update") != 2 || e.auditCount(a.ID, "guardrails.test") != 4 {
		t.Error("policy changes and tests are not audited")
	}
	for field, bad := range map[string]map[string]any{
		"template":  {"template": "no-such-template"},
		"overrides": {"template": "bfsi-strict", "overrides": map[string]any{"pii.ssn": map[string]any{"action": "explode"}}},
		"terms":     {"template": "bfsi-strict", "terms": []string{"ab"}},
	} {
		b := e.do("PUT", "/guardrails/policy", tok, bad).want(http.StatusUnprocessableEntity).err()
		if b.Error.Param == nil || *b.Error.Param != field {
			t.Errorf("%s: %+v", field, b.Error)
		}
	}
	e.do("PUT", "/guardrails/policy", tok, map[string]any{"template": "bfsi-strict", "overrides": map[string]any{"pii.nope": map[string]any{}}}).
		want(http.StatusUnprocessableEntity)
	e.do("PUT", "/guardrails/policy", tok, map[string]any{"template": "bfsi-strict", "overrides": map[string]any{"pii.ssn": map[string]any{"threshold": "high"}}}).
		want(http.StatusBadRequest)
	e.do("POST", "/guardrails/test", tok, map[string]any{"text": "x", "direction": "sideways"}).want(http.StatusBadRequest)
	e.do("POST", "/guardrails/test", tok, map[string]any{"text": "x", "policy": "nope"}).want(http.StatusUnprocessableEntity)
	e.do("POST", "/guardrails/test", tok, `{"text":"`+strings.Repeat("a", 1<<20)+`"}`).want(http.StatusRequestEntityTooLarge)
	e.do("GET", "/guardrails/policy", tok, nil).want(200).decode(&p)
	if p.Version != 2 {
		t.Errorf("refused changes were stored: version %d", p.Version)
	}
}

func TestModelsShowWhichKeysMayUseThem(t *testing.T) {
	e := newEnv(t)
	a := e.addTenant("alpha")
	e.do("POST", "/api-keys", a.Tokens["admin"], map[string]any{"models": []string{"gpt-4o*"}}).want(201)
	e.do("POST", "/api-keys", a.Tokens["admin"], map[string]any{}).want(201)
	var ms List[Model]
	e.do("GET", "/models", a.Tokens["viewer"], nil).want(200).decode(&ms)
	if ms.Total == 0 {
		t.Fatal("no models")
	}
	seen := map[string]Model{}
	for _, m := range ms.Data {
		seen[m.ID] = m
	}
	g, mock := seen["gpt-4o"], seen["mock-gpt"]
	if g.UsableByKeys != 2 || mock.UsableByKeys != 1 || g.ContextWindow == 0 || g.InputPrice == "" || len(g.Capabilities) == 0 {
		t.Errorf("gpt-4o %+v, mock-gpt %+v", g, mock)
	}
}
