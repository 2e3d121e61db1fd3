package jsonwalk

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMembersAndElements(t *testing.T) {
	doc := []byte(` { "id" : "x\"}" , "n":12 ,"list":[1, {"a":[]}, "s"],"Nested":{"k":null}}`)
	var keys []string
	ok := Members(doc, SkipSpace(doc, 0), func(key []byte, v, e int) bool {
		keys = append(keys, string(key)+"="+string(doc[v:e]))
		return true
	})
	want := `id="x\"}" n=12 list=[1, {"a":[]}, "s"] Nested={"k":null}`
	if !ok || strings.Join(keys, " ") != want {
		t.Fatalf("members ok=%v %q, want %q", ok, strings.Join(keys, " "), want)
	}
	list := []byte(`[1, {"a":[]}, "s"]`)
	var elems []string
	if !Elements(list, 0, func(v, e int) bool { elems = append(elems, string(list[v:e])); return true }) ||
		strings.Join(elems, "|") != `1|{"a":[]}|"s"` {
		t.Errorf("elements %q", elems)
	}
	for _, bad := range []string{`{"a":1`, `{"a" 1}`, `{"a":1,}`, `{"\u0061":1}`, `{"a":"unclosed}`, `{a:1}`} {
		if Members([]byte(bad), 0, func([]byte, int, int) bool { return true }) {
			t.Errorf("Members accepted %s", bad)
		}
	}
	if !KeyIs([]byte("Content"), "content") || KeyIs([]byte("contents"), "content") {
		t.Error("KeyIs does not match as encoding/json does")
	}
}

// FuzzMembers checks the walk against encoding/json: on a valid object
// without escaped keys it succeeds, and every member value it finds is
// itself valid JSON.
func FuzzMembers(f *testing.F) {
	f.Add(`{"a":1,"b":[true,null,{"c":"d"}],"e":"f\"g"}`)
	f.Add(`{"choices":[{"delta":{"content":"x"}}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		b := []byte(doc)
		at := SkipSpace(b, 0)
		var obj map[string]json.RawMessage
		valid := json.Unmarshal(b, &obj) == nil && at < len(b) && b[at] == '{' && !strings.Contains(doc, `\`)
		ok := Members(b, at, func(key []byte, v, e int) bool {
			if valid && !json.Valid(b[v:e]) {
				t.Fatalf("member %q: value %q is not JSON", key, b[v:e])
			}
			return true
		})
		if valid && !ok {
			t.Fatalf("walk refused a valid object %q", doc)
		}
	})
}

func TestValueEndStrings(t *testing.T) {
	for doc, want := range map[string]int{
		`"abc"x`: 5, `"a\"b"x`: 6, `"a\\"x`: 5, `"a\\\"b"x`: 8, `""`: 2, `"\\\\"`: 6, `"open`: -1, `"esc\"`: -1,
	} {
		if got := ValueEnd([]byte(doc), 0); got != want {
			t.Errorf("ValueEnd(%s) = %d, want %d", doc, got, want)
		}
	}
}

// FuzzValueEnd checks string ends against encoding/json: a string the
// walk closes is a valid JSON string exactly when its content is.
func FuzzValueEnd(f *testing.F) {
	f.Add(`"a\"b\\"rest`)
	f.Fuzz(func(t *testing.T, doc string) {
		if len(doc) == 0 || doc[0] != '"' {
			return
		}
		e := ValueEnd([]byte(doc), 0)
		var s string
		if e < 0 {
			if json.Unmarshal([]byte(doc), &s) == nil {
				t.Fatalf("walk found no end in valid %q", doc)
			}
			return
		}
		if json.Valid([]byte(doc)) && e != len(strings.TrimRight(doc, " \t\r\n")) {
			t.Fatalf("walk ended %q at %d, the whole is one string", doc, e)
		}
	})
}
