package route

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/store"
)

// TestModelListScopedByKey checks that a key limited to some models lists and
// retrieves only those, and that other keys see every model.
func TestModelListScopedByKey(t *testing.T) {
	ml := modelList{one: map[string][]byte{}}
	list := oai.ModelList{Object: "list"}
	for _, id := range []string{"gpt-4o", "mock-gpt", "mock-embedding"} {
		m := oai.Model{ID: id, Object: "model", OwnedBy: "p"}
		list.Data = append(list.Data, m)
		ml.one[id], _ = json.Marshal(m)
	}
	ml.entries = list.Data
	ml.body, _ = json.Marshal(list)
	ids := func(key *store.KeyRecord) []string {
		w := httptest.NewRecorder()
		if err := ml.serveList(w, key); err != nil {
			t.Fatal(err)
		}
		var got oai.ModelList
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || got.Object != "list" {
			t.Fatalf("list %s: %v", w.Body.String(), err)
		}
		var out []string
		for _, m := range got.Data {
			out = append(out, m.ID)
		}
		return out
	}
	limited := &store.KeyRecord{AllowedModels: []string{"mock-*"}}
	if got := ids(limited); len(got) != 2 || got[0] != "mock-gpt" || got[1] != "mock-embedding" {
		t.Errorf("limited key lists %v", got)
	}
	if got := ids(&store.KeyRecord{}); len(got) != 3 {
		t.Errorf("unlimited key lists %v", got)
	}
	for id, want := range map[string]int{"mock-gpt": http.StatusOK, "gpt-4o": http.StatusNotFound, "nope": http.StatusNotFound} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/v1/models/"+id, nil)
		if err := ml.serveOne(w, r, id, limited); err != nil || w.Code != want {
			t.Errorf("GET %s with a limited key: %d %v, want %d", id, w.Code, err, want)
		}
	}
}
