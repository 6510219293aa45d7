package finapp

import "context"

// Roles (SPEC §7).
const (
	RoleAdmin   = "admin"
	RoleFinance = "finance"
	RoleViewer  = "viewer"
)

// DefaultWorkspace is the one workspace until the workspaces feature lets partners have their own.
const DefaultWorkspace = "ws_default"

// Actor is who is calling: the workspace whose books they may touch, a name for the audit trail
// and a role.
type Actor struct {
	WorkspaceID string
	Name        string // "user:<email>" or "token:<name>", as the audit trail shows it
	Role        string
	Address     string // the client's network address, for the audit trail
}

// CanRead reports whether the role may read the books: every role may, an unknown one not.
func (a Actor) CanRead() bool { return a.Role == RoleViewer || a.CanWrite() }

// CanAdminister reports whether the role may manage users, tokens and settings.
func (a Actor) CanAdminister() bool { return a.Role == RoleAdmin }

// CanWrite reports whether the role may record and apply money.
func (a Actor) CanWrite() bool { return a.Role == RoleAdmin || a.Role == RoleFinance }

type actorKey struct{}

// WithActor returns a context carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the context's actor; ok is false when none was set.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// ValidRole reports whether role is one of the three roles.
func ValidRole(role string) bool {
	return role == RoleAdmin || role == RoleFinance || role == RoleViewer
}
