package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/aigw/aigw/internal/apierr"
	"github.com/aigw/aigw/internal/tenantdb"
)

// Prefix is where every admin API route lives.
const Prefix = "/api/v1/admin"

// Route is one endpoint. Each resource file declares its routes in an init
// function with addRoutes; the server serves them, the permission table
// guards them and the OpenAPI document describes them, all from this one
// declaration.
type Route struct {
	// Method is the HTTP method, such as GET.
	Method string
	// Path is the path under Prefix, with {name} segments for ids, such as
	// /users/{user_id}.
	Path string
	// Perm is the permission the caller's role needs (PermPublic: none, and
	// no session either).
	Perm Permission
	// Handle serves the request; it returns an error for writeError.
	Handle func(c *Call) error
	// MaxBody is the largest body accepted, in bytes (default 64 KiB).
	MaxBody int64
	// Doc describes the route in the OpenAPI document.
	Doc Doc
}

// Doc is a route's OpenAPI operation.
type Doc struct {
	// Summary is one line; Description may say more.
	Summary, Description string
	// Tag groups operations (users, api-keys, ...).
	Tag string
	// Request is a value of the JSON body's type (nil: no body).
	Request any
	// Query is a value of a struct whose `query` tags are the parameters.
	Query any
	// Response is a value of the success body's type (nil: no body).
	Response any
	// Status is the success status (default 200; 204 when Response is nil).
	Status int
	// ContentTypes, when set, replace application/json as the success
	// body's media types (an export's text/csv, application/x-ndjson).
	ContentTypes []string
	// Errors lists the error statuses beyond those every route may answer
	// (400, and 401 and 403 for routes behind a session).
	Errors []int
}

var registry []Route

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// addRoutes registers routes; resource files call it from init.
func addRoutes(rs ...Route) {
	for _, r := range rs {
		if r.Method == "" || !strings.HasPrefix(r.Path, "/") || r.Handle == nil || r.Doc.Summary == "" {
			panic(fmt.Sprintf("admin route %s %s: method, path, handler and summary are required", r.Method, r.Path))
		}
		if r.Perm != PermPublic && !knownPermission(r.Perm) {
			panic(fmt.Sprintf("admin route %s %s: permission %q is not in the permission table", r.Method, r.Path, r.Perm))
		}
		for _, o := range registry {
			if o.Method == r.Method && o.Path == r.Path {
				panic(fmt.Sprintf("admin route %s %s registered twice", r.Method, r.Path))
			}
		}
		registry = append(registry, r)
	}
}

func knownPermission(p Permission) bool {
	for _, row := range permissionTable {
		if row.perm == p {
			return true
		}
	}
	return false
}

// Routes returns every registered route.
func Routes() []Route { return append([]Route(nil), registry...) }

// Call is one request to a route, with what the handler needs.
type Call struct {
	W http.ResponseWriter
	R *http.Request
	// Route is the route being served.
	Route *Route
	// Principal is the signed-in caller (nil on public routes).
	Principal *Principal
	// Grant is what the caller's role may do with the route's permission.
	Grant Grant
	srv   *Server
	scope *tenantdb.DB
}

// Store returns the store bound to the caller's tenant, and to the caller
// alone when their grant is GrantOwn. Handlers use nothing else to reach a
// tenant's data, so they cannot reach another tenant's.
func (c *Call) Store() *tenantdb.DB { return c.scope }

// Decode reads the JSON body into v (see decodeJSON).
func (c *Call) Decode(v any) error {
	if err := requireJSON(c.R); err != nil {
		return err
	}
	max := c.Route.MaxBody
	if max == 0 {
		max = defaultMaxBody
	}
	return decodeJSON(c.R.Body, max, v)
}

// Query reads the query parameters into v (see decodeQuery).
func (c *Call) Query(v any) error { return decodeQuery(c.R.URL.Query(), v) }

// ID returns the path parameter name, which must be a UUID.
func (c *Call) ID(name string) (string, error) {
	v := c.R.PathValue(name)
	if !uuidShape.MatchString(v) {
		return "", apierr.Newf(http.StatusBadRequest, CodeInvalidID, "%s: want a UUID such as 0b6f2c9e-3c1d-4d8e-9a57-2f1e5c7d9b10", name).WithParam(name)
	}
	return strings.ToLower(v), nil
}

var uuidShape = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// JSON answers v with status.
func (c *Call) JSON(status int, v any) error {
	h := c.W.Header()
	h.Set("Content-Type", "application/json")
	c.W.WriteHeader(status)
	enc := json.NewEncoder(c.W)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// NoContent answers 204.
func (c *Call) NoContent() error {
	c.W.WriteHeader(http.StatusNoContent)
	return nil
}

// List is the shape of every list answer.
type List[T any] struct {
	// Data is one page of items.
	Data []T `json:"data"`
	// Total is how many items match, on every page.
	Total int `json:"total"`
}

// PageQuery are the paging parameters of list routes.
type PageQuery struct {
	// Limit is the page size: 1 to 500, default 50.
	Limit int `query:"limit" doc:"page size, 1 to 500 (default 50)"`
	// Offset is how many items to skip: 0 to 1,000,000.
	Offset int `query:"offset" doc:"items to skip, 0 to 1000000 (default 0)"`
}

// page validates q and returns the store's page.
func (q PageQuery) page() (tenantdb.Page, error) {
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > 500 {
		return tenantdb.Page{}, badField("limit", "want 1 to 500")
	}
	if q.Offset < 0 || q.Offset > 1_000_000 {
		return tenantdb.Page{}, badField("offset", "want 0 to 1000000")
	}
	return tenantdb.Page{Limit: q.Limit, Offset: q.Offset}, nil
}
