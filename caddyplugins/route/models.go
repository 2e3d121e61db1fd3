package route

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/aigw/aigw/caddyplugins/state"
	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/catalog"
	"github.com/aigw/aigw/internal/oai"
	"github.com/aigw/aigw/internal/store"
)

// modelList is the /v1/models answer, rendered once per config: the models
// whose provider the router can call now, each owned by its provider's name.
// A key limited to some models sees only those.
type modelList struct {
	body    []byte
	entries []oai.Model
	one     map[string][]byte
}

func newModelList(c *catalog.Catalog, servable func(*catalog.Provider) (bool, string)) modelList {
	created := time.Now().Unix()
	list := oai.ModelList{Object: "list", Data: []oai.Model{}}
	ml := modelList{one: map[string][]byte{}}
	for _, m := range c.Models() {
		if ok, _ := servable(c.Provider(m.Provider)); !ok {
			continue
		}
		entry := oai.Model{ID: m.ID, Object: "model", Created: created, OwnedBy: m.Provider}
		list.Data = append(list.Data, entry)
		ml.one[m.ID], _ = json.Marshal(entry)
	}
	ml.body, _ = json.Marshal(list)
	ml.entries = list.Data
	return ml
}

// serveList writes the list, only the models key may use when it is limited.
func (ml modelList) serveList(w http.ResponseWriter, key *store.KeyRecord) error {
	if !scoped(key) {
		return writeJSON(w, ml.body)
	}
	list := oai.ModelList{Object: "list", Data: []oai.Model{}}
	for _, m := range ml.entries {
		if key.AllowsModel(m.ID) {
			list.Data = append(list.Data, m)
		}
	}
	body, err := json.Marshal(list)
	if err != nil {
		return fmt.Errorf("encoding the model list: %w", err)
	}
	return writeJSON(w, body)
}

// serveOne writes one model; a model key may not use does not exist for it.
func (ml modelList) serveOne(w http.ResponseWriter, r *http.Request, id string, key *store.KeyRecord) error {
	body, ok := ml.one[id]
	if !ok || (scoped(key) && !key.AllowsModel(id)) {
		state.WriteError(w, r, apierr.Newf(http.StatusNotFound, "model_not_found",
			"The model `%s` does not exist or you do not have access to it.", id).WithParam("model"))
		return nil
	}
	return writeJSON(w, body)
}

// scoped reports whether key is limited to some models.
func scoped(key *store.KeyRecord) bool { return key != nil && len(key.AllowedModels) > 0 }

func writeJSON(w http.ResponseWriter, body []byte) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	_, err := w.Write(body)
	return err
}
