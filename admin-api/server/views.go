package server

import (
	"time"

	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/internal/tenantdb"
)

// User is a user as the admin API shows it.
type User struct {
	ID          string     `json:"id" format:"uuid"`
	TenantID    string     `json:"tenant_id" format:"uuid"`
	Email       string     `json:"email" format:"email"`
	Name        string     `json:"name"`
	Role        string     `json:"role" enum:"admin,manager,user,viewer"`
	Status      string     `json:"status" enum:"active,suspended"`
	HasPassword bool       `json:"has_password" doc:"the user may sign in with a password"`
	SSO         bool       `json:"sso" doc:"the user is linked to an identity provider"`
	LastLoginAt *time.Time `json:"last_login_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

func userView(u *tenantdb.UserInfo) User {
	return User{ID: u.ID, TenantID: u.TenantID, Email: u.Email, Name: u.DisplayName, Role: u.Role, Status: u.Status,
		HasPassword: u.HasPassword, SSO: u.SSO, LastLoginAt: timeOrNil(u.LastLoginAt), CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

// Tenant is the caller's tenant.
type Tenant struct {
	ID   string `json:"id" format:"uuid"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func tenantView(t *store.Tenant) Tenant { return Tenant{ID: t.ID, Slug: t.Slug, Name: t.Name} }

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
