package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/aigw/aigw/internal/session"
	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
)

func init() {
	addRoutes(
		Route{Method: "GET", Path: "/users", Perm: PermUsersRead, Handle: listUsers,
			Doc: Doc{Tag: "users", Summary: "List the tenant's users (a user sees only themselves)", Query: PageQuery{}, Response: List[User]{}}},
		Route{Method: "POST", Path: "/users", Perm: PermUsersCreate, Handle: createUser,
			Doc: Doc{Tag: "users", Summary: "Add a user", Description: "Managers add users below admin. Without a password the user signs in only through SSO.",
				Request: createUserRequest{}, Response: User{}, Status: http.StatusCreated, Errors: []int{409}}},
		Route{Method: "GET", Path: "/users/{user_id}", Perm: PermUsersRead, Handle: getUser,
			Doc: Doc{Tag: "users", Summary: "Read a user", Response: User{}, Errors: []int{404}}},
		Route{Method: "PUT", Path: "/users/{user_id}", Perm: PermUsersUpdate, Handle: updateUser,
			Doc: Doc{Tag: "users", Summary: "Change a user's name, role, status or password",
				Description: "Fields left out stay as they are. A user changes only their own name and password (current_password required); managers manage users below admin. The tenant's last active admin cannot be demoted or suspended (409). A suspension or new password ends the user's sessions; a suspended user's keys stop working at every gateway within a second.",
				Request:     updateUserRequest{}, Response: User{}, Errors: []int{404, 409}}},
		Route{Method: "DELETE", Path: "/users/{user_id}", Perm: PermUsersDelete, Handle: deleteUser,
			Doc: Doc{Tag: "users", Summary: "Remove a user and revoke their keys",
				Description: "The user's keys stop working at every gateway within a second. The tenant's last active admin cannot be removed (409).",
				Response:    DeletedUser{}, Errors: []int{404, 409}}},
		Route{Method: "GET", Path: "/users/{user_id}/usage", Perm: PermUsageRead, Handle: userUsage,
			Doc: Doc{Tag: "users", Summary: "A user's requests, tokens and cost by model and by day",
				Query: periodQuery{}, Response: UserUsage{}, Errors: []int{404}}},
	)
}

type createUserRequest struct {
	Email    string `json:"email" required:"true" format:"email"`
	Name     string `json:"name" required:"true"`
	Role     string `json:"role" required:"true" enum:"admin,manager,user,viewer"`
	Password string `json:"password,omitempty" doc:"12 to 256 characters; leave out for an SSO-only user"`
}

type updateUserRequest struct {
	Name            *string `json:"name,omitempty"`
	Role            *string `json:"role,omitempty" enum:"admin,manager,user,viewer"`
	Status          *string `json:"status,omitempty" enum:"active,suspended"`
	Password        *string `json:"password,omitempty" doc:"a new password, 12 to 256 characters"`
	CurrentPassword *string `json:"current_password,omitempty" doc:"required to change your own password"`
}

// DeletedUser is what DELETE /users/{user_id} answers.
type DeletedUser struct {
	User        User  `json:"user"`
	KeysRevoked int64 `json:"keys_revoked"`
}

func listUsers(c *Call) error {
	var q PageQuery
	if err := c.Query(&q); err != nil {
		return err
	}
	p, err := q.page()
	if err != nil {
		return err
	}
	list, total, err := c.Store().ListUsers(c.R.Context(), p)
	if err != nil {
		return err
	}
	out := List[User]{Data: make([]User, 0, len(list)), Total: total}
	for i := range list {
		out.Data = append(out.Data, userView(&list[i]))
	}
	return c.JSON(http.StatusOK, out)
}

func createUser(c *Call) error {
	var req createUserRequest
	if err := c.Decode(&req); err != nil {
		return err
	}
	nu := tenantdb.NewUser{Email: req.Email, DisplayName: req.Name, Role: req.Role}
	if err := nu.Validate(); err != nil {
		return err
	}
	if !canManage(c.Principal.User.Role, req.Role) {
		return forbidden("only an admin may add an admin")
	}
	if req.Password != "" {
		if err := session.CheckPolicy(req.Password); err != nil {
			return badField("password", "%v", errors.Unwrap(err))
		}
		hash, err := session.HashPassword(req.Password)
		if err != nil {
			return err
		}
		nu.PasswordHash = hash
	}
	u, err := c.Store().CreateUser(c.R.Context(), nu)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, userView(u))
}

func getUser(c *Call) error {
	id, err := c.ID("user_id")
	if err != nil {
		return err
	}
	u, err := c.Store().GetUser(c.R.Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, userView(u))
}

func updateUser(c *Call) error {
	id, err := c.ID("user_id")
	if err != nil {
		return err
	}
	var req updateUserRequest
	if err := c.Decode(&req); err != nil {
		return err
	}
	ctx, caller := c.R.Context(), c.Principal
	cur, err := c.Store().GetUser(ctx, id)
	if err != nil {
		return err
	}
	if c.Grant == GrantOwn && (req.Role != nil || req.Status != nil) {
		return forbidden("you may change only your own name and password")
	}
	if !canManage(caller.User.Role, cur.Role) || (req.Role != nil && !canManage(caller.User.Role, *req.Role)) {
		return forbidden("only an admin may manage an admin")
	}
	patch := tenantdb.UserPatch{DisplayName: req.Name, Role: req.Role, Status: req.Status}
	if err := patch.Validate(); err != nil {
		return err
	}
	if req.Password != nil {
		if patch.PasswordHash, err = newPasswordHash(c, cur, req); err != nil {
			return err
		}
		patch.KeepSession = caller.SessionID
	}
	u, err := c.Store().UpdateUser(ctx, id, patch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, userView(u))
}

// newPasswordHash checks a password change: the new password's policy and,
// for one's own password, the current one.
func newPasswordHash(c *Call, cur *tenantdb.UserInfo, req updateUserRequest) (*string, error) {
	if err := session.CheckPolicy(*req.Password); err != nil {
		return nil, badField("password", "%v", errors.Unwrap(err))
	}
	if cur.ID == c.Principal.User.ID && cur.HasPassword {
		if req.CurrentPassword == nil {
			return nil, badField("current_password", "required to change your own password")
		}
		creds, err := c.srv.accounts.Credentials(c.R.Context(), cur.Email, c.Principal.Tenant.Slug)
		if err != nil {
			return nil, err
		}
		if ok, _ := matchPassword(creds, *req.CurrentPassword); len(ok) != 1 || ok[0].UserID != cur.ID {
			return nil, unprocessable("current_password", "current_password is wrong")
		}
	}
	hash, err := session.HashPassword(*req.Password)
	return &hash, err
}

func deleteUser(c *Call) error {
	id, err := c.ID("user_id")
	if err != nil {
		return err
	}
	ctx := c.R.Context()
	cur, err := c.Store().GetUser(ctx, id)
	if err != nil {
		return err
	}
	if !canManage(c.Principal.User.Role, cur.Role) {
		return forbidden("only an admin may remove an admin")
	}
	d, err := c.Store().DeleteUser(ctx, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, DeletedUser{User: userView(&d.UserInfo), KeysRevoked: d.KeysRevoked})
}

// periodQuery is a period: from (inclusive) to to (exclusive), RFC 3339.
type periodQuery struct {
	From time.Time `query:"from" doc:"start, RFC 3339 (default: the start of this month, UTC)"`
	To   time.Time `query:"to" doc:"end, exclusive, RFC 3339 (default: now)"`
}

// maxPeriod is the longest period a usage or audit query covers.
const maxPeriod = 366 * 24 * time.Hour

func (q *periodQuery) resolve(now time.Time) error {
	if q.To.IsZero() {
		q.To = now
	}
	if q.From.IsZero() {
		n := q.To.UTC()
		q.From = time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	if !q.From.Before(q.To) {
		return badField("from", "must be before to")
	}
	if q.To.Sub(q.From) > maxPeriod {
		return badField("from", "the period is longer than 366 days")
	}
	return nil
}

// UserUsage is a user's usage over a period.
type UserUsage struct {
	UserID  string       `json:"user_id" format:"uuid"`
	From    time.Time    `json:"from"`
	To      time.Time    `json:"to"`
	Totals  Totals       `json:"totals"`
	ByModel []UsageGroup `json:"by_model"`
	ByDay   []UsageGroup `json:"by_day"`
}

func userUsage(c *Call) error {
	id, err := c.ID("user_id")
	if err != nil {
		return err
	}
	var q periodQuery
	if err := c.Query(&q); err != nil {
		return err
	}
	if err := q.resolve(c.srv.now()); err != nil {
		return err
	}
	ctx := c.R.Context()
	if _, err := c.Store().GetUser(ctx, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notFound("user")
		}
		return err
	}
	d, err := c.Store().Owner(id).UsageDashboard(ctx, q.From, q.To, tenantdb.Day)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, UserUsage{UserID: id, From: q.From.UTC(), To: q.To.UTC(), Totals: totalsView(d.Totals),
		ByModel: groupsView(d.ByModel), ByDay: groupsView(d.Series)})
}
