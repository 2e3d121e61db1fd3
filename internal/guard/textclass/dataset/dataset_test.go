package dataset

import (
	"regexp"
	"testing"
)

// TestGeneratedFilled checks that every slot of every template is filled.
func TestGeneratedFilled(t *testing.T) {
	hole := regexp.MustCompile(`\{[a-zA-Z0-9_]+\}`)
	for _, x := range Generate() {
		if hole.MatchString(x.Text) {
			t.Errorf("%s: unfilled slot in %q", x.Source, x.Text)
		}
	}
}
