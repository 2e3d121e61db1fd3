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
)

// modelList is the /v1/models answer, rendered once per config: the models
// whose provider the router can call now, each owned by its provider's name.
type modelList struct {
	body []byte
	one  map[string][]byte
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
	return ml
}

func (ml modelList) serveList(w http.ResponseWriter) error {
	return writeJSON(w, ml.body)
}

func (ml modelList) serveOne(w http.ResponseWriter, r *http.Request, id string) error {
	body, ok := ml.one[id]
	if !ok {
		state.WriteError(w, r, apierr.Newf(http.StatusNotFound, "model_not_found",
			"The model `%s` does not exist or you do not have access to it.", id).WithParam("model"))
		return nil
	}
	return writeJSON(w, body)
}

func writeJSON(w http.ResponseWriter, body []byte) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	_, err := w.Write(body)
	return err
}
