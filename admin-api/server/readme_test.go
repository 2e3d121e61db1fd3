package server

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEPermissionMatrixIsTheTable: the README's matrix says what
// permissionTable says, row for row.
func TestREADMEPermissionMatrixIsTheTable(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(string(data), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 7 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		name := strings.Trim(strings.TrimSpace(cells[1]), "`")
		rows[name] = []string{strings.TrimSpace(cells[2]), strings.TrimSpace(cells[3]), strings.TrimSpace(cells[4]), strings.TrimSpace(cells[5])}
	}
	for _, row := range permissionTable {
		want := []string{string(row.admin), string(row.manager), string(row.user), string(row.viewer)}
		got, ok := rows[string(row.perm)]
		if !ok || strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("README row %s = %v, want %v", row.perm, got, want)
		}
	}
}
