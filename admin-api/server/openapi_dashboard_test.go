package server

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// dashboardOpenAPI is the copy of this document that the dashboard's typed
// client (dashboard/src/api/schema.d.ts) is generated from.
var dashboardOpenAPI = filepath.Join("..", "..", "dashboard", "src", "api", "openapi.json")

// TestDashboardClientMatchesTheServedDocument keeps the dashboard's contract
// honest: the committed openapi.json must be the document the server serves.
// Run with AIGW_UPDATE_OPENAPI=1 to rewrite it, then `npm run gen:api` in
// dashboard/ (the dashboard's own test checks schema.d.ts against it).
func TestDashboardClientMatchesTheServedDocument(t *testing.T) {
	want, err := json.MarshalIndent(OpenAPI(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if os.Getenv("AIGW_UPDATE_OPENAPI") == "1" {
		if err := os.WriteFile(dashboardOpenAPI, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(dashboardOpenAPI)
	if err != nil {
		t.Fatalf("reading the dashboard's copy: %v (AIGW_UPDATE_OPENAPI=1 writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the served OpenAPI document: run AIGW_UPDATE_OPENAPI=1 go test -run TestDashboardClientMatchesTheServedDocument ./server/ in admin-api, then npm run gen:api in dashboard/", dashboardOpenAPI)
	}
}
